"""Tests of the runner's W_hh initialisations for Chapter 6's sweeps: ``RunConfig(init="orthogonal" | "gaussian" |
"identity")``, in the tanh RNN (``cell="rnn"``) and the linear-transition RNN (``cell="ltrnn"``, ``rnnlab.ltrnn``).

Each is an ``rnnlab.init`` family at scale 1 written by ``init.apply`` with a generator seeded from ``config.seed``:
W_hh Haar-orthogonal, with entries N(0, 1/H), or I; both cell biases 0; W_xh and the readout stay torch's. The IRNN
(W_hh = I, ReLU) is ``cell="irnn"``. Older configs keep their keys.
"""
import json
import pathlib

import numpy as np
import pytest
import torch

from rnnlab import init
from rnnlab.experiments import RunConfig, build_model, run
from rnnlab.experiments.config import FAMILY_INITS, INITS, LATER

RESULTS = pathlib.Path(init.__file__).parent / "experiments" / "results"
SEEDS = (0, 1, 2, 3, 4)
TINY = dict(hidden=4, steps=6, batch=4, eval_every=3, eval_size=20)
RANDOM_INITS = tuple(f for f in FAMILY_INITS if f != "identity")  # the identity draws nothing


def w_hh(config: RunConfig) -> np.ndarray:
    return build_model(config).cell.weight_hh.detach().numpy()  # (H, H) float64


# --- what each initialisation draws ------------------------------------------------------------------------

@pytest.mark.parametrize("H", [1, 7, 32, 128])
@pytest.mark.parametrize("seed", SEEDS)
def test_orthogonal_w_hh_is_orthogonal_to_1e_12(H, seed):
    W = w_hh(RunConfig("copy", 10, hidden=H, init="orthogonal", seed=seed))
    assert W.shape == (H, H) and W.dtype == np.float64
    np.testing.assert_allclose(W.T @ W, np.eye(H), rtol=0, atol=1e-12)
    np.testing.assert_allclose(W @ W.T, np.eye(H), rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 1.0, rtol=0, atol=1e-12)


def test_gaussian_w_hh_has_std_one_over_sqrt_h_over_seeds():
    H = 128
    draws = {s: w_hh(RunConfig("copy", 10, hidden=H, init="gaussian", seed=s)) for s in SEEDS}
    for s, W in draws.items():  # 16,384 entries: the std's relative standard error is about 0.6 %
        assert abs(W.std() * np.sqrt(H) - 1) < 0.03, (s, W.std())
        assert abs(W.mean()) < 4 / np.sqrt(H) / np.sqrt(W.size), (s, W.mean())
    pooled = np.concatenate([W.ravel() for W in draws.values()])
    assert abs(pooled.std() * np.sqrt(H) - 1) < 0.015
    # Gaussian, not uniform like torch's default: kurtosis about 3 (uniform has 1.8)
    kurtosis = np.mean((pooled - pooled.mean()) ** 4) / pooled.var() ** 2
    assert abs(kurtosis - 3) < 0.1
    # and not orthogonal: singular values spread from near 0 to about 2 (Chapter 4)
    sv = np.linalg.svd(draws[0], compute_uv=False)
    assert sv.max() > 1.8 and sv.min() < 0.1


@pytest.mark.parametrize("which", FAMILY_INITS)
def test_only_w_hh_and_the_cell_biases_differ_from_torchs_init(which):
    torch_model = build_model(RunConfig("adding", 20, seed=3))
    model = build_model(RunConfig("adding", 20, init=which, seed=3))
    assert torch.equal(model.cell.weight_ih, torch_model.cell.weight_ih)  # W_xh: torch's, from the seed
    assert torch.equal(model.readout.weight, torch_model.readout.weight)
    assert torch.equal(model.readout.bias, torch_model.readout.bias)
    assert not torch.equal(model.cell.weight_hh, torch_model.cell.weight_hh)
    assert torch.count_nonzero(model.cell.bias_hh) == 0 and torch.count_nonzero(model.cell.bias_ih) == 0
    assert model.cell.nonlinearity == "tanh"


@pytest.mark.parametrize("which", FAMILY_INITS)
def test_the_same_family_as_init_apply_with_the_seed(which):
    config = RunConfig("adding", 20, hidden=16, init=which, seed=7)
    expected = init.apply(build_model(RunConfig("adding", 20, hidden=16, seed=7)), which, gain=1.0, seed=7)
    assert torch.equal(build_model(config).cell.weight_hh, expected.cell.weight_hh)


# --- determinism ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", RANDOM_INITS)
def test_w_hh_is_a_function_of_the_seed_and_leaves_the_global_rng_alone(which):
    state = torch.get_rng_state()
    first = w_hh(RunConfig("copy", 10, hidden=16, init=which, seed=5))
    assert torch.equal(torch.get_rng_state(), state)
    np.testing.assert_array_equal(first, w_hh(RunConfig("copy", 10, hidden=16, init=which, seed=5)))
    assert not np.array_equal(first, w_hh(RunConfig("copy", 10, hidden=16, init=which, seed=6)))
    big = w_hh(RunConfig("copy", 10, hidden=4, init=which, seed=2**64 - 1))  # the largest seed works
    assert np.all(np.isfinite(big))


def test_families_differ_for_one_seed():
    W = {which: w_hh(RunConfig("adding", 20, hidden=8, init=which, seed=0)) for which in INITS if which != "torch"}
    W["torch"] = w_hh(RunConfig("adding", 20, hidden=8, seed=0))
    assert len({w.tobytes() for w in W.values()}) == len(INITS)


@pytest.mark.parametrize("which", FAMILY_INITS)
def test_a_run_is_reproducible_and_starts_from_its_own_w_hh(which):
    config = RunConfig("adding", 6, init=which, clip=1.0, seed=1, **TINY)
    first, again = run(config), run(config)
    assert {k: v for k, v in first.items() if k != "wall_time"} == {k: v for k, v in again.items() if k != "wall_time"}
    plain = run(RunConfig("adding", 6, clip=1.0, seed=1, **TINY))
    assert first["grad_norms_init"] != plain["grad_norms_init"]  # another model at step 0


# --- keys ------------------------------------------------------------------------------------------------------

def test_new_inits_are_spelled_in_the_key_and_round_trip():
    for which in FAMILY_INITS:
        config = RunConfig("copy", 10, hidden=128, clip=1.0, lr=0.01, steps=3000, init=which, seed=4)
        assert config.key == ("task=copy,T=10,cell=rnn,hidden=128,forget_bias=None,clip=1.0,optimizer=adam,lr=0.01,"
                              f"steps=3000,batch=32,eval_every=50,eval_size=500,seed=4,init={which}")
        assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
        assert config.key != RunConfig("copy", 10, hidden=128, clip=1.0, lr=0.01, steps=3000, seed=4).key


def test_old_keys_are_unchanged():
    assert LATER["init"] == "torch" and INITS[:2] == ("torch", "basic_tanh")
    assert RunConfig("adding", 10).key == ("task=adding,T=10,cell=rnn,hidden=32,forget_bias=None,clip=None,"
                                           "optimizer=adam,lr=0.001,steps=500,batch=32,eval_every=50,eval_size=500,"
                                           "seed=0")
    assert RunConfig("adding", 10, init="torch") == RunConfig("adding", 10)
    assert RunConfig("order", 12, init="basic_tanh").key.endswith(",seed=0,init=basic_tanh")


@pytest.mark.parametrize("name", ["lag-adding", "copy-delay", "clip-order"])
def test_committed_configs_keep_their_keys(name):
    path = RESULTS / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path.name} is not committed here")
    data = json.loads(path.read_text(encoding="utf-8"))
    for stored in data["configs"]:
        fields = {k: v for k, v in stored.items() if k != "key"}
        assert RunConfig.from_dict(fields).key == stored["key"]


# --- bad inputs ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, match", [
    (dict(init="xavier"), r"init must be one of \['basic_tanh', 'gaussian', 'identity', 'orthogonal', 'torch'\]; "
                          "got 'xavier'"),
    (dict(init="Orthogonal"), "init must be one of"),
    (dict(init=1), "init must be one of"),
    (dict(init=["orthogonal"]), "init must be one of"),
    (dict(init="orthogonal", cell="irnn"), "init='orthogonal' initialises the single W_hh of a tanh RNN or an LT-RNN: "
                                           r"it needs cell='rnn' or 'ltrnn' \(the IRNN is cell='irnn'\); got "
                                           "cell='irnn'"),
    (dict(init="orthogonal", cell="lstm"), "needs cell='rnn' or 'ltrnn'.*; got cell='lstm'"),
    (dict(init="gaussian", cell="gru"), "needs cell='rnn' or 'ltrnn'.*; got cell='gru'"),
    (dict(init="identity", cell="gru"), "needs cell='rnn' or 'ltrnn'.*; got cell='gru'"),
    (dict(init="gaussian", cell="lstm", forget_bias=1.0), "needs cell='rnn' or 'ltrnn'"),
    (dict(init="basic_tanh", cell="irnn"), "Pascanu et al.'s initialisation of a tanh RNN: it needs cell='rnn'"),
    (dict(init="basic_tanh", cell="ltrnn"), "Pascanu et al.'s initialisation of a tanh RNN: it needs cell='rnn'"),
    (dict(cell="ltrnn"), r"cell='ltrnn' \(a linear transition W_hh\) needs its W_hh from a family: init must be one "
                         r"of \['orthogonal', 'gaussian', 'identity'\]; got init='torch'"),
    (dict(cell="ltrnn", init="orthogonal", forget_bias=1.0), "forget_bias applies only to cell='lstm'"),
    (dict(cell="ltrnn", init="orthogonal", omega=1.0), "omega .* needs cell='rnn'"),
])
def test_bad_init_is_a_clear_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RunConfig("copy", 10, **kwargs)


# --- the linear-transition RNN (cell="ltrnn") --------------------------------------------------------------------

@pytest.mark.parametrize("which", FAMILY_INITS)
def test_ltrnn_step_is_its_formula(which):
    model = build_model(RunConfig("adding", 5, cell="ltrnn", init=which, hidden=6, seed=2))
    cell = model.cell
    assert model.cell_type == "lt" and torch.count_nonzero(cell.bias_hh) == 0 and torch.count_nonzero(cell.bias_ih) == 0
    with torch.no_grad():
        torch.nn.init.normal_(cell.bias_hh, generator=torch.Generator().manual_seed(0))  # a nonzero b_hh is used too
        x, h = torch.randn(3, 2, dtype=torch.float64), torch.randn(3, 6, dtype=torch.float64)
        expected = h @ cell.weight_hh.T + cell.bias_hh + torch.tanh(x @ cell.weight_ih.T + cell.bias_ih)
        torch.testing.assert_close(cell(x, h), expected, rtol=0, atol=1e-15)
    if which == "identity":
        assert torch.equal(cell.weight_hh, torch.eye(6, dtype=torch.float64))


@pytest.mark.parametrize("seed", SEEDS)
def test_ltrnn_jacobian_over_the_lag_is_the_matrix_power_and_orthogonal_keeps_the_gradient(seed):
    """∂h_T/∂h_t = W_hh^(T−t) exactly (the transition is linear): with W_hh orthogonal every singular value is 1 at
    every lag, so ‖∂L/∂h_t‖ is the same for all t — no vanishing, no exploding — whatever the inputs."""
    T, H = 40, 8
    model = build_model(RunConfig("adding", T, cell="ltrnn", init="orthogonal", hidden=H, seed=seed))
    x = 3 * torch.randn(1, T, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))  # large inputs
    _, states = model(x, return_states=True)
    W = model.cell.weight_hh.detach()
    for t in (0, 10, 25, T - 2):
        J = torch.stack([torch.autograd.grad(states[-1][0, i], states[t], retain_graph=True)[0][0]
                         for i in range(H)])  # (H, H) ∂h_T/∂h_{t+1}
        torch.testing.assert_close(J, torch.linalg.matrix_power(W, T - 1 - t), rtol=0, atol=1e-12)
        np.testing.assert_allclose(torch.linalg.svdvals(J).numpy(), 1.0, rtol=0, atol=1e-12)


def test_ltrnn_trains_and_is_reproducible():
    config = RunConfig("adding", 6, cell="ltrnn", init="identity", clip=1.0, seed=1, **TINY)
    first, again = run(config), run(config)
    assert {k: v for k, v in first.items() if k != "wall_time"} == {k: v for k, v in again.items() if k != "wall_time"}
    assert config.key.endswith(",seed=1,init=identity") and ",cell=ltrnn," in config.key
    tanh = run(RunConfig("adding", 6, init="identity", clip=1.0, seed=1, **TINY))  # the same W_hh inside a tanh
    assert first["grad_norms_init"] != tanh["grad_norms_init"]
