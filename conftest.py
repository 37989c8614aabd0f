"""Settings every test run needs, whether started by `make test`, a bare `pytest`, or `pytest chapters/NN_….ipynb`
(this file sits at the root so that pytest loads it for the chapters too, not only for tests/)."""
import os

# Notebooks executed by nbval inherit this: no progress bars (machine-dependent text) in their outputs.
os.environ.setdefault("RNNLAB_PROGRESS", "0")
# Two test workers on two cores: one BLAS/OpenMP thread per kernel. Oversubscribed BLAS threads made small
# matrix products 10-100x slower under load (measured: a 200x200 step 0.01 s with 1 thread, up to 1.1 s with 2).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
