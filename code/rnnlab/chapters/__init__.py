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

A chapter module may use the library; the library never imports a chapter module.
"""
