"""Chapter 12: its worked examples and figure data (``structure``), its figures and explorer
(``structure_figures``), and its claims on seeds other than the chapter's."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnlab import bench, plotting, trees
from rnnlab.chapters import structure, structure_figures

OTHER = (7, 1001)  # seeds the chapter's text was not written with


def test_the_chapter_trees_have_the_promised_sizes_and_depths():
    made = structure.make_trees(0)
    assert [t.n_leaves for t in made.values()] == [51, 64, 51]
    assert trees.depths(made["left chain"]).max() == 50 and trees.depths(made["balanced"]).max() == 6


@pytest.mark.parametrize("seed", OTHER)
def test_bpts_and_the_chain_claims_hold_for_other_seeds(seed):
    assert structure.bpts_error(seed) < 1e-12
    assert structure.chain_is_rnn(seed) < 1e-12


@pytest.mark.parametrize("seed", OTHER)
def test_the_depth_claims_hold_for_other_seeds(seed):
    profiles = structure.depth_profiles([seed], (0.25, 8.0))
    fate = {key: plotting.classify(structure.deepest(p)[1][0]) for key, p in profiles.items()}
    assert fate["left chain", 0.25] == plotting.VANISHED and fate["left chain", 8.0] == plotting.EXPLODED
    assert fate["balanced", 0.25] == fate["balanced", 8.0] == plotting.WITHIN
    for per_seed in profiles.values():
        assert np.all(per_seed[0]["gain"] <= per_seed[0]["bound"] * (1 + 1e-9))
        assert per_seed[0]["gain"][-1] == pytest.approx(1.0)  # the root's own gain


@pytest.mark.parametrize("seed", OTHER)
def test_the_graph_claims_hold_for_other_seeds(seed):
    rows = {name: structure.by_distance(structure.graph_sensitivity(name, seed)) for name in structure.SETUPS}
    assert rows["path"][8] / rows["path"][1] < 0.02
    predicted = (1 / 3) ** 3 * (1 / 2) / (1 / 2) ** 3  # the 1/deg factors on the shortest walks
    assert 0.5 < rows["binary tree"][4] / rows["path"][4] / predicted < 2
    assert rows["barbell"][3] / rows["barbell, 4 bridges"][3] < 0.5
    deeper = {name: structure.by_distance(structure.graph_sensitivity(name, seed, K=8))[3]
              for name in ("barbell", "barbell, 4 bridges")}
    assert deeper["barbell"] > rows["barbell"][3] and deeper["barbell"] / deeper["barbell, 4 bridges"] < 0.5
    for name in ("path", "binary tree", "barbell"):
        for mu in (0.5, 0.9):
            r = structure.fixed_point_sensitivity(name, seed, mu)
            assert np.all(r["sens"] <= r["bound"]) and structure.per_edge_decay(r) < mu / 2
        control = structure.per_edge_decay(structure.fixed_point_control(name, seed, 1.5))
        assert structure.per_edge_decay(r) < control < 0.5  # r: μ = 0.9, the same weights' direction


def test_the_control_is_the_same_fixed_point_with_a_larger_w_msg():
    r, c = structure.fixed_point_sensitivity("path", 3, 0.9), structure.fixed_point_control("path", 3, 1.0)
    assert r["smax_xh"] == c["smax_xh"] and np.array_equal(r["dist"], c["dist"]) and "bound" not in c
    assert np.all(c["sens"] > 0)


def test_per_edge_decay_is_the_geometric_mean_factor_between_distance_1_and_the_farthest():
    result = {"dist": np.array([0, 1, 2, 3, 3]), "sens": np.array([1.0, 0.5, 0.05, 0.004, 0.006])}
    assert structure.per_edge_decay(result) == pytest.approx(0.1)


def test_by_distance_averages_the_nodes_at_each_distance():
    result = {"dist": np.array([0, 1, 1, 2]), "sens": np.array([1.0, 2.0, 4.0, 8.0])}
    assert structure.by_distance(result).tolist() == [1.0, 3.0, 8.0]


def test_explorer_is_registered_and_labels_the_extremes():
    assert bench.EXPLORERS["ch12 depth and distance (weight scale)"] == \
        "rnnlab.chapters.structure_figures:depth_explorer"
    explorer = structure_figures.depth_explorer()
    assert len(explorer.frame_values()) == 21 and explorer.main == "log2_scale"
    assert explorer.defaults == {"log2_scale": 0.0, "depth": 50}  # the static frames show the chain's fates
    low, high = structure.explore(-2.0), structure.explore(3.0)
    assert low["tree_status"] == plotting.VANISHED and high["tree_status"] == plotting.EXPLODED
    assert low["own_status"] == plotting.VANISHED and high["sens"][0] > 1e4  # K = 50 Jacobians on every walk
    assert low["sens"].shape == (51,) and low["chain"]["gain"].shape == (101,)
    for params in ({"log2_scale": -2.0, "depth": 2}, {"log2_scale": 3.0, "depth": 50}):
        assert explorer.png(**params)[:4] == b"\x89PNG"


@pytest.mark.parametrize("draw, data", [
    ("draw_trees", lambda: {"chain": trees.left_chain(4), "balanced": trees.balanced(2)}),
    ("draw_depth_profiles", lambda: structure.depth_profiles([0], (0.25,))),
    ("draw_graph_sensitivity", lambda: {"path": [np.array([1.0, 0.5, 0.1])]}),
    ("draw_fixed_point", lambda: {("path", 0.5): [structure.fixed_point_sensitivity("path", 0, 0.5)]}),
])
def test_every_figure_draws(draw, data):
    fig = Figure()
    getattr(structure_figures, draw)(fig, data())
    assert fig.axes


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="name must be one of"):
        structure.graph_sensitivity("ring", 0)
    with pytest.raises(ValueError, match="mu must be below 1"):
        structure.fixed_point_sensitivity("path", 0, 1.0)
    with pytest.raises(ValueError, match="smax must be at least 1"):
        structure.fixed_point_control("path", 0, 0.9)
    with pytest.raises(ValueError, match="reach distance 2 or more"):
        structure.per_edge_decay({"dist": np.array([0, 1]), "sens": np.array([1.0, 0.5])})
    with pytest.raises(ValueError, match="depth must be at least 1"):
        structure.explore(0.0, 0)
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure"):
        structure_figures.draw_trees(None, {})
