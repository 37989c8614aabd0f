"""Settings every test run needs, whether started by `make test`, a bare `pytest`, or `pytest chapters/NN_….ipynb`
(this file sits at the root so that pytest loads it for the chapters too, not only for tests/)."""
import os

import pytest

# Notebooks executed by nbval inherit this: no progress bars (machine-dependent text) in their outputs.
os.environ.setdefault("RNNLAB_PROGRESS", "0")
# Two test workers on two cores: one BLAS/OpenMP thread per kernel. Oversubscribed BLAS threads made small
# matrix products 10-100x slower under load (measured: a 200x200 step 0.01 s with 1 thread, up to 1.1 s with 2).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# Long tests that share no state spread over both workers; every other file's tests stay together on one worker
# (a notebook's cells must: nbval runs them in order in one kernel). Run alone, these two files' tests took 17 and
# 7 minutes: kept to one worker as files, they left the other idle for the last third of the suite.
SPREAD = ("test_experiments_reproduce.py", "test_live_kernel.py")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's hook, which reads the groups (`--dist loadgroup`)
def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name not in SPREAD:
            item.add_marker(pytest.mark.xdist_group(str(item.path)))
