"""Settings every test run needs, whether started by `make test`, a bare `pytest`, or `pytest chapters/NN_….ipynb`
(this file sits at the root so that pytest loads it for the chapters too, not only for tests/)."""
import os

# Notebooks executed by nbval inherit this: no progress bars (machine-dependent text) in their outputs.
os.environ.setdefault("RNNLAB_PROGRESS", "0")
