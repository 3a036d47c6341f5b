"""Standalone lever experiments (not part of ``make bench``): end-of-turn policies, the fitted
encoder window. ``python -m bench.experiments`` runs them and writes bench/experiments.json,
which bench/report.py renders into docs/performance.md."""
