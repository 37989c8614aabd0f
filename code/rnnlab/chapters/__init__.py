"""The chapter layer: each chapter's worked examples, figure data and explorers, built on the library.

The library (``rnnlab.rnn``, ``activations``, ``spectral``, ``gradcheck``, ``tasks``, ``models``, ``train``,
``widgets``, ``plotting``) is what a reader reuses: BPTT lives in ``rnnlab.rnn``. The modules here serve one
chapter each and are imported by it, e.g. ``from rnnlab.chapters import bptt``:

- ``feedback``    Chapter 1: the one-unit pulse experiment and its explorer
- ``bptt``        Chapter 2: BPTT's terms written out, term tables, flop counts, the contribution explorer
- ``saturation``  Chapter 3: derivative bounds, saturation statistics, the activation comparison
- ``criteria``    Chapter 4: eigen- and singular-value criteria, transient growth, initialisation spectra

A chapter module may use the library; the library never imports a chapter module.
"""
