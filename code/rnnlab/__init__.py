"""rnnlab: the shared, tested code behind the book *Hard to Train*.

Two layers. The **library** — one module per idea, what a reader reuses — and the **chapter layer**
``rnnlab.chapters``, one module (or two) per chapter with its worked examples, figure data and explorers, built
on the library. Chapters import what they need, e.g. ``from rnnlab import rnn, spectral`` and
``from rnnlab.chapters import bptt``. The library never imports the chapter layer.

The library:

- ``activations``  σ, tanh, ReLU, their derivatives and bounds γ             (Chapter 3)
- ``rnn``          vanilla RNN forward, hand-written BPTT, truncated BPTT     (Chapters 1–2)
- ``lstm``         LSTM forward, hand-written (truncated) BPTT, torch layout   (Chapter 7)
- ``lstm_jacobian`` the LSTM's step Jacobian of (h, c) and its cell path diag(f_t) (Chapter 7)
- ``gru``          GRU forward, hand-written (truncated) BPTT, step Jacobians  (Chapter 7)
- ``spectral``     matrices with chosen spectra, Jacobian-product norms       (Chapter 4)
- ``gradcheck``    finite differences, relative error, torch autograd refs    (Chapter 2)
- ``tasks``        synthetic sequence tasks                                   (Chapters 1, 8)
- ``models``       small torch models                                         (Chapters 1, 8)
- ``ltrnn``        the linear-transition cell h_t = W_hh h_{t-1} + tanh(W_xh x_t + b) (Chapter 6)
- ``train``        one training loop with clipping and gradient logging       (Chapters 1, 5, 8)
- ``seeds``        the seeds claims about random families are checked over    (every chapter)
- ``clipping``       norm and value clipping, total norm, the angle they turn  (Chapter 5)
- ``regularizers``   Pascanu's Ω and its immediate derivative                 (Chapter 5)
- ``init``           initialisation families for W_hh: Gaussian, orthogonal, identity; the LSTM's forget bias
                     (Chapters 6–7)
- ``bidirectional`` bidirectional RNN and LSTM: two ordinary networks, one reading backwards (Chapter 9)
- ``attention``      one self-attention layer, ‖∂y_t/∂x_k‖ against distance, what a layer costs (Chapter 9)
- ``blanks``         fill in the blank: a task that needs both sides, its exact ceilings, taggers (Chapter 9)
- ``scan``, ``scan_torch``  h_t = a_t ⊙ h_{t-1} + b_t as a scan: loop, Hillis–Steele, Blelloch, chunked; work,
                     depth; the backward pass as a reverse scan (Chapter 10)
- ``lru``            the Linear Recurrent Unit: eigenvalues on a ring inside the unit circle, a deep LRU model
                     (Chapter 10)
- ``series``         the Mackey–Glass series (RK4 or Jaeger's Euler), one or a batch; Jaeger's squashing
                     (Chapter 11)
- ``reservoir``      echo state networks: a fixed random reservoir, the ridge readout, the echo state property's
                     checks, NRMSE, memory capacity (Chapter 11)
- ``esn``            Jaeger's Mackey–Glass protocol: teacher forcing, a ridge readout, free runs, NRMSE_84
                     (Chapter 11)
- ``reservoir_torch`` the echo state network as a torch model with a trainable readout (Chapter 11)
- ``bpdc``           backpropagation-decorrelation: an online O(N) rule for a reservoir's output unit (Chapter 11)
- ``lsm``            a tiny liquid state machine: leaky integrate-and-fire units, a readout of their traces
                     (Chapter 11)
- ``readout``        the readout alone in closed form (ridge regression), batch by batch (Chapter 11)
- ``tasks_memory``   Chapter 11's tasks: delayed recall and Mackey–Glass T steps ahead
- ``trees``          a recursive network over binary trees, hand-written backpropagation through structure
                     (BPTS), the path bound of a node's gradient (Chapter 12)
- ``graphs``         path, tree and barbell graphs, distances, message passing in torch, the sensitivity
                     ‖∂h_v/∂x_u‖ by autograd, the contraction's fixed point and its implicit Jacobian (Chapter 12)
- ``experiments``    the experiment runner: pure runs, named sweeps, crash-safe results files (Chapter 8)
- ``flow``, ``flow_spectrum``, ``flow_plot``  gradient flow in any torch model: total ∂L/∂h_t, σ_max(J_t) by
                     Jacobian-vector products, one plot (appendix "Measure gradient flow in your own model")
- ``widgets``      the explorer: live sliders in a kernel, a scrubber on the static site
- ``plotting``     the book's figure style and its one vocabulary for a gradient's fate
- ``execute``      run chapters top to bottom (refresh outputs, time them)
- ``bench``        ``python -m rnnlab.bench``: speed of BPTT, explorers, chapters and the live kernel
- ``bench_chapters`` its chapter rows: each notebook in a child process with a time limit

The chapter layer (``rnnlab.chapters``): ``feedback`` (Chapter 1), ``bptt``, ``bptt_paths``, ``bptt_explorer``
(2), ``saturation``, ``saturation_rnns`` (3), ``criteria``, ``criteria_figures`` (4), ``cliff``,
``clipping_runs``, ``clipping_penalties`` (5), ``init_profiles``, ``init_figures``, ``init_training``,
``init_lag`` (6), ``gates``,
``gates_figures`` (7), ``longterm``, ``longterm_figures``, ``longterm_tasks`` (8), ``bidir``,
``bidir_figures`` (9) — its docstring maps them.

Importing ``rnnlab`` imports nothing heavy and changes no global state (no seeding, no plot styling).
"""

__version__ = "0.1.0"
