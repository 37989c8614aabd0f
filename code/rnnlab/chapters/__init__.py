"""The chapter layer: each chapter's worked examples, figure data and explorers, built on the library.

The library (``rnnlab.rnn``, ``activations``, ``spectral``, ``gradcheck``, ``tasks``, ``models``, ``train``,
``widgets``, ``plotting``) is what a reader reuses: BPTT lives in ``rnnlab.rnn``. The modules here serve one
chapter each and are imported by it, e.g. ``from rnnlab.chapters import bptt``:

- ``feedback``          Chapter 1: the one-unit pulse experiment, fixed points, critical paths, its explorer
- ``bptt``              Chapter 2: BPTT's terms written out, term tables, flop counts
- ``bptt_paths``        Chapter 2: the scalar warm-up, every term as a path of the unrolled graph, the
                        popular formula
- ``bptt_explorer``     Chapter 2: each past step's contribution and its explorer
- ``saturation``        Chapter 3: derivative bounds, saturation statistics, the saturation explorer
- ``saturation_rnns``   Chapter 3: the same networks run with four activations; the centred sigmoid RNN
- ``criteria``          Chapter 4: eigen- and singular-value criteria, transient growth, initialisation spectra
- ``criteria_figures``  Chapter 4: its figures and its two explorers
- ``feedback_contest``  Chapter 1: the first-bit contest, window model vs RNN, over seeds
- ``cliff``             Chapter 5: Pascanu's one-unit cliff, gradient descent on it, the clipping explorer
- ``clipping_runs``     Chapter 5: training with and without clipping, divergence and spike detection
- ``clipping_penalties`` Chapter 5: weight decay on the spectrum, descent on Pascanu's Ω
- ``clipping_fig7``     Chapter 5: Pascanu et al.'s Fig. 7 from the committed sweeps, the learning-rate choice
- ``clipping_mikolov``  Chapter 5: Mikolov's clipping of temporal components against clipping the summed gradient
- ``clipping_adam``     Chapter 5: what norm clipping changes under Adam
- ``init_profiles``     Chapter 6: spectra and gain profiles of the initialisation families
- ``init_figures``      Chapter 6: its figures and the initialisation explorer
- ``init_training``     Chapter 6: small adding-problem runs, the orthogonal constraint, initial loss gradients
- ``init_lag``          Chapter 6: the recipes over the lag after Henaff et al. (committed sweeps init-lr, init-lag)
- ``init_depth``        Chapter 6: vanishing along depth (independent layers) against along time (one W_hh)
- ``cell_diagrams``     Chapter 7: the LSTM and GRU cells drawn in the chapter's notation
- ``gates``             Chapter 7: gated cells' parameters, retention over the lag, gate traces, cost counts
- ``gates_figures``     Chapter 7: its figures and its two explorers (retention, gates over a pulse)
- ``longterm``          Chapter 8: the committed sweeps as tables — success, steps to solve, gradient fates
- ``longterm_figures``  Chapter 8: its figures and the sweep explorer (no training)
- ``longterm_tasks``    Chapter 8: the tasks' example sequences and input-blind baselines
- ``longterm_controls`` Chapter 8: full BPTT beside its controls (truncated BPTT, readout only)
- ``longterm_tuning``   Chapter 8: each model at its own learning rate (tuning sweeps, then the reported seeds)
- ``longterm_rule``     Chapter 8: the adding problems' per-sequence rule (|error| < 0.04) beside the MSE criterion
- ``latch_mechanism``   Chapter 8: a latch run re-trained, its W_hh and the two separated states
- ``bidir``             Chapter 9: fill-in-the-blank runs and ceilings, bidirectional agreement with torch,
                        sensitivity against distance, parameters of a bidirectional stack
- ``bidir_figures``     Chapter 9: the sensitivity figure and the fill-in-the-blank explorer
- ``scans``             Chapter 10: a pass's cost against T, the scans against the loop and autograd, work and depth
- ``scan_figures``      Chapter 10: its figures (costs, work and depth, gradients at initialisation)
- ``lru_ring``          Chapter 10: the LRU's eigenvalue ring, its gain over the lag, the ring explorer
- ``scan_training``     Chapter 10: the LRU beside the tanh RNN, LSTM and GRU at long lags (committed sweeps)
- ``reservoirs``        Chapter 11: the echo state property, Jaeger's Mackey–Glass protocol, memory curves, BPDC
                        and a liquid's readout over seeds, the explorer's numbers
- ``reservoir_figures`` Chapter 11: its figures and the reservoir explorer
- ``structure``         Chapter 12: trees' node gains against depth, BPTS against autograd, sensitivity
                        against distance on graphs, the contraction's fixed point, the explorer's numbers
- ``structure_figures`` Chapter 12: its figures and the depth-and-distance explorer

A chapter module may use the library; the library never imports a chapter module.
"""
