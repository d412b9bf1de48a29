"""Benchmarks: `python -m bench --sections N [--backend sqlite|postgres] …` (see bench/__main__.py)."""
