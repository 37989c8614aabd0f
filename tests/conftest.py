"""Settings every test run needs, whether started by `make test` or by a bare `pytest`."""
import os

# Notebooks executed by nbval inherit this: no progress bars (machine-dependent text) in their outputs.
os.environ.setdefault("RNNLAB_PROGRESS", "0")
