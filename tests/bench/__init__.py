"""Benchmarks: figures against budgets, run by hand (``python tests/bench/run.py``), never by pytest."""
