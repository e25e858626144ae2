"""Benchmarks: crmlib against the reference implementation (lifetimes), and the collection's run time.

Run them with ``make bench`` (or ``python3 tools/dev.py bench``); ``bench/run.py --help`` lists
the options. The reference library lives in its own virtual environment (``.venv-bench/``),
which ``bench/run.py`` creates; it is never a dependency of the project.

Modules
-------
run
    Entry point: sets up ``.venv-bench``, runs every case, writes ``build/bench/results.{json,md}``.
synth
    The seeded synthetic transaction log of the RFM case.
compare
    Correctness checks (summaries identical, parameters close) and target verdicts.
worker
    One measurement in a fresh process (either virtual environment); stdlib, numpy and pandas only.
collection
    The collection case: every chapter in small mode through ``crmbook.runner``, and its floor.
"""
