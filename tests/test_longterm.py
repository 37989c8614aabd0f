"""Chapter 8's reading of a lag sweep: counts, steps to solve, gradient-norm fates, the task baselines, the
explorer — on synthetic results files whose answers are known, and on the committed smoke file."""
import itertools
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import plotting
from rnnlab.chapters import longterm as lt
from rnnlab.chapters import longterm_controls as lc
from rnnlab.chapters import longterm_rule as lr
from rnnlab.chapters import longterm_figures as lf
from rnnlab.chapters import longterm_tasks as lk
from rnnlab.experiments import store
from rnnlab.experiments.registry import task_spec
from rnnlab.experiments.runner import rounded
from rnnlab.experiments.sweeps import get_sweep


def _record(config, solved: bool, steps=None, init=None, final=None):
    """A record as the runner writes it, with the task's baseline and threshold (else the store drops it)."""
    spec = task_spec(config.task)
    threshold = spec.threshold(config.T)
    T = config.T
    return {"solved": solved, "steps_to_solve": steps if solved else None,
            "final_metric": rounded(threshold / 2 if solved else spec.baseline(T)), "metric": spec.metric,
            "baseline": rounded(spec.baseline(T)), "threshold": rounded(threshold), "diverged_at": None,
            "grad_norms_init": init if init is not None else [1.0] * T,
            "grad_norms_final": final if final is not None else [1.0] * T, "wall_time": 0.0}


def _fake(tmp_path, keep=lambda c: True):
    """lag-adding with a known pattern: a run solves iff T ≤ 10·(model index + 1) and seed < 3 (+ clip: seed < 4),
    in 100·(seed + 1) steps; its trained profile is 10^(−(T−t)) for the tanh RNN and flat otherwise."""
    sweep = get_sweep("lag-adding")
    results = store.ResultsFile(sweep, tmp_path)
    for c in sweep.configs:
        if not keep(c):
            continue
        k = list(lt.MODELS).index((c.cell, c.forget_bias))
        solved = c.T <= 10 * (k + 1) and c.seed < (3 if c.clip is None else 4)
        final = [10.0 ** -(c.T - t) for t in range(1, c.T + 1)] if k == 0 else None
        results.add(c.key, _record(c, solved, 100 * (c.seed + 1), final=final))
    return lt.load("lag-adding", tmp_path)


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    return _fake(tmp_path_factory.mktemp("results"))


def test_load_reads_every_config_and_says_complete(fake):
    assert fake.complete and fake.task == "adding" and len(fake.records) == 200
    assert fake.lags == (10, 20, 40, 80) and fake.clips == (None, 1.0) and fake.seeds == (0, 1, 2, 3, 4)
    assert fake.models == ("tanh RNN", "IRNN", "LSTM", "LSTM b_f=1", "GRU")


def test_success_counts_the_known_pattern(fake):
    table = lt.success(fake)
    assert len(table) == 10
    for (model, clip), s in table.items():
        k = fake.models.index(model)
        assert s.runs == (5, 5, 5, 5) and s.seeds == 5
        wins = 3 if clip is None else 4
        assert s.solved == tuple(wins if T <= 10 * (k + 1) else 0 for T in fake.lags)
        assert s.longest_solved() == max(T for T in fake.lags if T <= 10 * (k + 1))
        assert all(st == tuple(100 * (i + 1) for i in range(wins)) for st, n in zip(s.steps, s.solved) if n)
    assert table["GRU", None].count(40) == "3/5" and table["tanh RNN", 1.0].count(80) == "0/5"
    np.testing.assert_array_equal(table["IRNN", None].rate, [0.6, 0.6, 0, 0])


def test_a_partial_file_counts_only_finished_runs(tmp_path):
    part = _fake(tmp_path, keep=lambda c: c.T == 10 and c.seed < 2)
    assert not part.complete and len(part.records) == 20
    s = lt.success(part)["LSTM", None]
    assert s.runs == (2, 0, 0, 0) and s.solved == (2, 0, 0, 0) and s.seeds == 5
    assert s.rate[0] == 1.0 and np.isnan(s.rate[1:]).all()
    assert lt.profile(part, "LSTM", None, 20, 0) is None
    lines = lt.success_table(part)
    assert lines[5].split() == ["LSTM", "no", "clip", "2/2", "0/0", "0/0", "0/0"]


def test_a_missing_file_has_no_records(tmp_path):
    empty = lt.load("lag-order", tmp_path)
    assert empty.records == {} and not empty.complete and empty.task == "order"
    assert all(s.runs == (0, 0, 0, 0) for s in lt.success(empty).values())


def test_tables_fit_a_notebook_line_and_hold_the_numbers(fake):
    lines = lt.success_table(fake) + lt.steps_table(fake, None) + lt.steps_table(fake, 1.0)
    assert max(len(line) for line in lines) <= 75
    assert lt.success_table(fake)[1].split() == ["tanh", "RNN", "no", "clip", "3/5", "0/5", "0/5", "0/5"]
    steps = lt.steps_table(fake, 1.0)
    assert steps[0].split() == ["clip", "1", "T=10", "T=20", "T=40", "T=80"]
    assert steps[1].split() == ["tanh", "RNN", "250", "(100–400)", "–", "–", "–"]
    assert len(steps) == 6 and len(lt.steps_table(fake, None)) == 6


def test_steps_summary():
    assert lt.steps_summary([]) is None
    assert lt.steps_summary([300, 100, 200]) == (200.0, 100, 300)
    with pytest.raises(ValueError, match="steps"):
        lt.steps_summary([1.5])


def test_gain_is_first_over_last_with_the_edge_cases():
    assert lt.gain([1e-8, 1.0, 2.0]) == 5e-9
    assert lt.gain([0.0, 1.0]) == 0.0 and plotting.classify(lt.gain([0.0, 1.0])) == plotting.VANISHED
    assert lt.gain([1.0, 0.0]) == math.inf and plotting.classify(math.inf) == plotting.EXPLODED
    for bad in ([], [[1.0]], [-1.0, 1.0]):
        with pytest.raises(ValueError, match="norms"):
            lt.gain(bad)


def test_fate_table_counts_each_fate(fake):
    lines = lt.fate_table(fake, None, 20)
    assert max(len(line) for line in lines) <= 75 and len(lines) == 3 + 5
    assert lines[3].split() == ["tanh", "RNN", "0", "5", "0", "5", "0", "0"]  # trained gain 1e-19
    assert lines[7].split() == ["GRU", "0", "5", "0", "0", "5", "0"]


def test_profiles_and_fate_counts(fake):
    p = lt.profile(fake, "tanh RNN", None, 20, 0)
    assert p.init.shape == p.final.shape == (20,) and p.solved is False
    assert p.gains == (1.0, 1e-19) and p.fates == (plotting.WITHIN, plotting.VANISHED)
    counts = lt.fate_counts(fake, 1.0, 10)
    assert counts["tanh RNN"] == {plotting.VANISHED: 5, plotting.WITHIN: 0, plotting.EXPLODED: 0}  # 1e-9
    assert counts["GRU"] == {plotting.VANISHED: 0, plotting.WITHIN: 5, plotting.EXPLODED: 0}
    assert lt.fate_counts(fake, 1.0, 10, when="init")["tanh RNN"][plotting.WITHIN] == 5
    with pytest.raises(ValueError, match="when"):
        lt.fate_counts(fake, None, 10, when="later")


def test_sequences_to_solve_multiplies_steps_by_the_batch(fake):
    assert lt.sequences_to_solve(fake, "GRU", None, 40) == [3200, 6400, 9600]
    assert lt.sequences_to_solve(fake, "tanh RNN", None, 80) == []


def test_bad_calls_name_the_argument(fake):
    with pytest.raises(ValueError, match="several tasks"):
        lt.load("smoke")
    with pytest.raises(ValueError, match="task"):
        lt.load("lag-adding", task="copy")
    with pytest.raises(ValueError, match="sweep"):
        lt.load("no-such-sweep")
    with pytest.raises(ValueError, match="results must be"):
        lt.success({"records": {}})
    with pytest.raises(ValueError, match="no run"):
        fake.record("LSTM", None, 30, 0)
    with pytest.raises(ValueError, match="fig"):
        lf.draw_success("figure", fake)


def test_the_committed_smoke_file_loads_complete():
    smoke = lt.load("smoke", task="adding")
    assert smoke.complete and smoke.lags == (12,) and smoke.clips == (1.0,)
    assert smoke.models == ("tanh RNN", "IRNN", "LSTM b_f=1", "GRU")


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_input_blind_strategies_score_the_registry_baseline(seed):
    """Sampling error at n = 20,000: sd ≈ 0.002 (MSE of the adding problem) and ≤ 0.0035 (accuracy)."""
    n = 20_000
    for task, T, tol in (("adding", 10, 0.01), ("adding_hs", 20, 0.003), ("order", 20, 0.02),
                         ("latch", 10, 0.02)):
        baseline = task_spec(task).baseline(T)
        assert abs(lk.blind_metric(task, T, n, seed) - baseline) < tol, task
    for T in (1, 5, 100):  # the memoryless strategy's loss is the formula exactly
        assert lk.blind_metric("copy", T, 50, seed) == pytest.approx(task_spec("copy").baseline(T), abs=1e-12)


def test_describe_shows_the_sequence_and_its_answer():
    lines = lk.describe("adding", 10, seed=0)
    values = [float(v) for v in lines[0].split()[1:]]
    marks = [int(t) for t in lines[2].split(":")[0].split("=")[1].split(",")]
    assert len(values) == 10 and len(marks) == 2
    for task, T in (("adding", 10), ("adding_hs", 12), ("copy", 5), ("order", 10), ("latch", 10)):
        assert all(len(line) <= 75 for line in lk.describe(task, T)), task
    copy = lk.describe("copy", 5)
    assert copy[0][7:17] == copy[1][-10:] and copy[0].count(":") == 1
    assert lk.describe("order", 10)[0][7] == "E" and lk.describe("order", 10)[0][-1] == "B"


def test_explorer_has_one_frame_per_lag_and_draws_every_corner(fake, tmp_path):
    _fake(tmp_path)
    explorer = lf.sweep_explorer("lag-adding", tmp_path)
    assert explorer.frame_values() == [0, 1, 2, 3] and explorer.frames == 4
    assert explorer.defaults == {"lag": 0, "model": 0, "clip": 0, "seed": 0}
    for corner in itertools.product(*[(s.min, s.max) for s in explorer.sliders]):
        assert explorer.png(**dict(zip(("lag", "model", "clip", "seed"), corner)))[:4] == b"\x89PNG"
    view = lf.sweep_view(fake, lag=1, model=4, clip=1, seed=2)
    assert view["T"] == 20 and view["model"] == "GRU" and view["clip"] == 1.0 and view["runs"] == 5
    assert view["solved"] == [True] * 4 + [False] and view["profile"].seed == 2


def test_explorer_draws_a_note_for_runs_not_yet_in_the_file(tmp_path):
    _fake(tmp_path, keep=lambda c: c.seed == 0)
    explorer = lf.sweep_explorer("lag-adding", tmp_path)
    view = lf.sweep_view(lt.load("lag-adding", tmp_path), lag=3, model=2, clip=0, seed=4)
    assert view["profile"] is None and view["runs"] == 1
    fig = explorer.render(lag=3, model=2, clip=0, seed=4)
    assert "this run is not in the results file yet" in [t.get_text() for t in fig.axes[1].texts]
    empty = lf.sweep_view(lt.load("lag-order", tmp_path), lag=0, model=0, clip=0, seed=0)
    assert empty["runs"] == 0 and empty["threshold"] is None
    fig = Figure()
    lf.draw_view(fig, empty, {"lag": 0, "model": 0, "clip": 0, "seed": 0})  # draws, does not raise


def test_static_figures_draw(fake):
    for draw, args in ((lf.draw_success, ()), (lf.draw_steps, ()), (lf.draw_profiles, (20, None, 0))):
        fig = Figure()
        draw(fig, fake, *args)
        assert len(fig.axes) >= 2


def test_kept_figure_redraws_like_a_fresh_one_with_runs_missing(tmp_path):
    """The explorer reuses its figure; a setting without records must not inherit the last setting's axes."""
    import io

    _fake(tmp_path, keep=lambda c: c.cell != "gru")
    explorer = lf.sweep_explorer("lag-adding", tmp_path)
    for params in ({"lag": 3, "model": 0}, {"lag": 3, "model": 4}, {"lag": 0, "model": 2, "clip": 1, "seed": 4},
                   {"lag": 1, "model": 4, "seed": 2}):
        kept = explorer.png(**params)
        buf = io.BytesIO()
        explorer.render(**params).savefig(buf, format="png", dpi=explorer.dpi, metadata={"Software": None},
                                          pil_kwargs={"compress_level": 1})
        assert kept == buf.getvalue(), params


def test_static_frames_are_light(fake, tmp_path):
    _fake(tmp_path)
    explorer = lf.sweep_explorer("lag-adding", tmp_path)
    sizes = [len(explorer.png(compact=True, lag=k)) for k in explorer.frame_values()]
    assert len(sizes) == 4 and max(sizes) <= 25 * 1024


def test_explorer_over_several_sweeps_has_a_live_task_slider(fake, tmp_path):
    _fake(tmp_path)  # lag-adding only: the order and latch sweeps have no records in this folder
    explorer = lf.sweep_explorer(lf.SWEEPS, tmp_path)
    assert [s.name for s in explorer.sliders] == ["lag", "task", "model", "clip", "seed"]
    assert explorer.main == "lag" and explorer.frame_values() == [0, 1, 2, 3]
    assert "latch: T = 25·2^k" in explorer.sliders[0].label and "2 latch" in explorer.sliders[1].label
    adding = explorer.compute(lag=1, task=0, model=4, clip=1, seed=2)
    assert adding["task"] == "adding" and adding["T"] == 20 and adding["runs"] == 5
    latch = explorer.compute(lag=3, task=2, model=0, clip=0, seed=0)
    assert latch["task"] == "latch" and latch["T"] == 200 and latch["runs"] == 0
    fig = explorer.render(lag=3, task=2, model=0, clip=0, seed=0)
    assert "this run is not in the results file yet" in [t.get_text() for t in fig.axes[1].texts]
    assert fig.axes[0].get_title(loc="left").startswith("latch, tanh RNN, no clip, T = 200")


def test_explorer_refuses_sweeps_of_different_shapes():
    with pytest.raises(ValueError, match="same shape"):
        lf.sweep_explorer(("lag-adding", "latch-budget"))
    with pytest.raises(ValueError, match="at least one sweep"):
        lf.sweep_explorer(())


def test_model_names_keep_controls_apart_and_join_merges_sweeps():
    from rnnlab.experiments import RunConfig
    base = dict(task="latch", T=25)
    assert lt.model_name(RunConfig(**base)) == "tanh RNN"
    assert lt.model_name(RunConfig(**base, truncate=1)) == "tanh RNN k=1"
    assert lt.model_name(RunConfig(**base, train="readout")) == "tanh RNN readout"
    assert lt.model_name(RunConfig(**base, cell="lstm", forget_bias=1.0, truncate=5)) == "LSTM b_f=1 k=5"
    assert lt.base_model("LSTM b_f=1 k=5") == "LSTM b_f=1" and lt.base_model("GRU") == "GRU"
    with pytest.raises(ValueError, match="not a model name"):
        lt.base_model("Transformer")
    full, ctl = lt.load("lag-latch"), lt.load("latch-controls")
    both = lc.join(full, ctl, models=("tanh RNN", "tanh RNN k=1"))
    assert both.models == ("tanh RNN", "tanh RNN k=1") and both.complete
    assert len(both.configs) == 2 * 2 * 4 * 5
    assert all(len(line) <= 75 for line in lt.success_table(both))
    with pytest.raises(ValueError, match="one task"):
        lc.join(full, lt.load("lag-adding"))
    with pytest.raises(ValueError, match="models"):
        lc.join(full, models=("tanh RNN k=3",))


def test_controls_sit_where_the_committed_full_runs_solved():
    """lag-controls lists the k = 1 control of exactly the clipped model × lag cells that full BPTT solved at least
    once: the map in its definition must follow the committed sweeps."""
    controls = get_sweep("lag-controls").configs
    for task, sweep in (("adding", "lag-adding"), ("order", "lag-order"), ("copy", "copy-delay")):
        table = lt.success(lt.load(sweep))
        want = {(m, T) for (m, clip), s in table.items() if clip == 1.0 for T, k in zip(s.lags, s.solved) if k}
        have = {(lt.base_model(lt.model_name(c)), c.T) for c in controls if c.task == task}
        assert have == want, task
        assert all(c.truncate == 1 and c.clip == 1.0 for c in controls if c.task == task)


def test_control_table_pairs_full_and_control_counts():
    full = lt.load("lag-latch")
    ctl = lc.join(lt.load("latch-controls"), models=("tanh RNN k=1",))
    lines = lc.control_table(full, ctl)
    assert lines[1].split() == ["tanh", "RNN", "5", "→", "5", "4", "→", "5", "4", "→", "3", "4", "→", "2"]
    assert all(line.split()[-1] == "–" for line in lines[2:])
    with pytest.raises(ValueError, match="several runs of one model"):
        lc.control_table(full, lt.load("latch-controls"))
    with pytest.raises(ValueError, match="one task"):
        lc.control_table(full, lt.load("lag-adding"))


def test_per_sequence_rule_counts_runs_with_99_percent_within_tolerance(fake):
    """``correct`` ≥ 0.99 passes; a file whose records lack ``correct`` (made before the rule) is refused."""
    with pytest.raises(ValueError, match="records without 'correct'"):
        lr.per_sequence(fake)
    with_rule = lt.Results(fake.sweep, fake.task, fake.configs, {
        c.key: {**fake.records[c.key], "correct": 0.99 if c.seed == 0 else 0.985 if c.seed == 1 else 0.5}
        for c in fake.configs})
    rule = lr.per_sequence(with_rule)
    assert rule["GRU", 1.0] == (1, 1, 1, 1) and set(rule) == set(lt.success(fake))
    lines = lr.per_sequence_table(with_rule)
    assert len(lines) == 1 + 5 and lines[-1].split()[1:5] == ["4", "/", "1", "of"]  # GRU at T = 10: 4 solved, 1 passed
    order = lt.Results("lag-order", "order", fake.configs[:1], {})
    with pytest.raises(ValueError, match="no per-sequence rule"):
        lr.per_sequence(order)
