"""Chapter 8's reading of a trained latch: a re-trained run is the committed run, and the two paths."""
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rnnlab.chapters import latch_mechanism as lm
from rnnlab.experiments import RunConfig, build_model


def test_retrain_repeats_a_committed_run_and_reads_its_weights():
    config = RunConfig("latch", 6, hidden=4, steps=20, batch=8, eval_every=5, eval_size=32, lr=0.05, truncate=1)
    init, trained, step = lm.retrain(config)
    again = lm.retrain(config)[1]
    for a, b in zip(trained.parameters(), again.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
    assert lm.radius(init) == pytest.approx(lm.radius(build_model(config)))
    assert lm.radius(trained) != lm.radius(init)
    assert step is None or step % 5 == 0


def test_two_paths_start_apart_and_draw():
    model = build_model(RunConfig("latch", 8, hidden=4))
    paths = lm.two_paths(model, 8)
    assert paths.states.shape == (2, 8, 4) and paths.logit.shape == (2, 8) and paths.gap.shape == (8,)
    assert paths.gap[0] > 0
    fig = Figure()
    lm.draw_two_paths(fig, paths, paths)
    FigureCanvasAgg(fig).draw()  # the labels' mathtext parses


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="tanh RNN"):
        lm.retrain(RunConfig("latch", 6, cell="gru"))
    with pytest.raises(ValueError, match="RunConfig"):
        lm.retrain({"task": "latch"})
    with pytest.raises(ValueError, match="cell='rnn'"):
        lm.radius(build_model(RunConfig("latch", 6, cell="lstm")))
    with pytest.raises(ValueError, match="at least 2"):
        lm.two_paths(build_model(RunConfig("latch", 6)), 1)
