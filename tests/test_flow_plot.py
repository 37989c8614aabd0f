"""Tests of rnnlab.flow_plot: the gain it classifies, and the one plotting call (fates in the status box and legend)."""
import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import flow_plot, plotting

matplotlib.use("Agg")


def test_flow_gain_is_first_over_last():
    assert flow_plot.flow_gain([1e-9, 1e-3, 1.0]) == 1e-9
    assert flow_plot.flow_gain(np.array([4.0, 2.0])) == 2.0
    assert plotting.classify(flow_plot.flow_gain([1e300, 1e-300])) == plotting.EXPLODED  # overflow counts as exploded


def test_a_profile_that_ends_in_zeros_is_measured_up_to_its_last_non_zero_norm():
    """A tagger's loss at step 3 of 5: ∂L/∂h_4 = ∂L/∂h_5 = 0, and the gain is ‖∂L/∂h_1‖ / ‖∂L/∂h_3‖."""
    assert flow_plot.flow_gain([1e-8, 1e-4, 1.0, 0.0, 0.0]) == 1e-8
    assert flow_plot.flow_gain([2.0, 0.0]) == 1.0  # the loss reads h_1 only: nothing travelled
    fig = flow_plot.plot_gradient_flow(np.array([1e-8, 1e-4, 1.0, 0.0, 0.0]))
    assert [t.get_text() for t in fig.axes[0].texts] == ["vanished: gain 1e-08"]


def test_plot_gradient_flow_draws_the_fate_of_each_curve():
    vanished, grown = np.geomspace(1e-9, 1.0, 20), np.geomspace(1e7, 1.0, 20)
    fig = flow_plot.plot_gradient_flow(vanished)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert isinstance(fig, Figure) and len(fig.axes) == 1 and texts == ["vanished: gain 1e-09"]
    fig = flow_plot.plot_gradient_flow({"a": vanished, "b": grown}, sigma=np.ones((3, 20)), fig=Figure())
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["a: vanished", "b: exploded"] and len(fig.axes) == 2
    assert len(fig.axes[1].collections) == 1  # the min–max band of σ_max over the batch
    fig = flow_plot.plot_gradient_flow(np.array([np.inf, 1.0]), sigma={"x": np.ones(2), "y": np.ones(2)})
    assert [t.get_text() for t in fig.axes[0].texts] == ["exploded: gain inf"]


BAD = [
    ("flow_gain-short", "norms must be a profile of ≥ 2", lambda: flow_plot.flow_gain([1.0])),
    ("flow_gain-negative", "norms must be a profile of ≥ 2 non-negative",
     lambda: flow_plot.flow_gain([1.0, -1.0])),
    ("flow_gain-all-zero", "norms must not all be 0", lambda: flow_plot.flow_gain([0.0, 0.0])),
    ("flow_gain-None", "norms must be an array of numbers; got None", lambda: flow_plot.flow_gain(None)),
    ("plot_gradient_flow-norms", r"norms must have shape \(T,\)",
     lambda: flow_plot.plot_gradient_flow(np.ones((2, 3)))),
    ("plot_gradient_flow-empty", "norms must be an array or a non-empty dict",
     lambda: flow_plot.plot_gradient_flow({})),
    ("plot_gradient_flow-fig", "fig must be a matplotlib Figure", lambda: flow_plot.plot_gradient_flow([1, 1], fig=3)),
    ("plot_gradient_flow-sigma", r"sigma\['a'\] must be an array of numbers",
     lambda: flow_plot.plot_gradient_flow([1, 1], sigma={"a": "x"})),
    ("plot_gradient_flow-title", "title text", lambda: flow_plot.plot_gradient_flow([1, 1], title=3)),
]


@pytest.mark.parametrize("call, match", [pytest.param(c, m, id=i) for i, m, c in BAD])
def test_bad_calls_fail_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
