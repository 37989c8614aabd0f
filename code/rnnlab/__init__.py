"""rnnlab: the shared, tested code behind the book *Hard to Train*.

One module per idea; chapters import the modules they need, e.g. ``from rnnlab import rnn, spectral``.

- ``activations``  σ, tanh, ReLU, their derivatives and bounds γ             (Chapter 3)
- ``rnn``          vanilla RNN forward, hand-written BPTT, truncated BPTT     (Chapters 1–2)
- ``spectral``     matrices with chosen spectra, Jacobian-product norms       (Chapter 4)
- ``gradcheck``    finite differences, relative error, torch autograd refs    (Chapter 2)
- ``tasks``        synthetic sequence tasks                                   (Chapters 1, 8)
- ``models``       small torch models                                         (Chapters 1, 8)
- ``train``        one training loop with clipping and gradient logging       (Chapters 1, 5, 8)
- ``feedback``     Chapter 1's one-unit pulse experiment and its explorer
- ``bptt``         Chapter 2's BPTT terms, term table, flop counts and contribution explorer
- ``saturation``   Chapter 3's derivative bounds, saturation statistics and activation comparison
- ``criteria``     Chapter 4's eigen/singular-value criteria, transient growth, initialisation spectra
- ``widgets``      the explorer: live sliders in a kernel, a scrubber on the static site
- ``plotting``     the book's figure style, applied explicitly
- ``execute``      run chapters top to bottom (refresh outputs, time them)
- ``bench``        ``python -m rnnlab.bench``: speed of BPTT, explorers and chapters

Importing ``rnnlab`` imports nothing heavy and changes no global state (no seeding, no plot styling).
"""

__version__ = "0.1.0"
