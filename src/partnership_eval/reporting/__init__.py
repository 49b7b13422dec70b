"""Reproducible, self-contained reports from parameterized notebooks.

Notebooks import what they need from here, which stays light (no papermill or
nbconvert): :func:`save_results` hands over their headline numbers and
:func:`find_data_dir` locates their data. The machinery that runs them lives in the
submodules: :func:`partnership_eval.reporting.runner.run_reports` executes notebooks with
papermill on the registered kernel ``partnership-eval`` and renders each as HTML
(:mod:`.render`) into ``reports/<run>/<notebook>/<area>.*`` with an index page
(:mod:`.index`) and a manifest (:mod:`.manifest`); :mod:`.parameters` checks requested
parameters against a notebook's ``parameters`` cell.
"""

from partnership_eval.reporting.data_location import find_data_dir
from partnership_eval.reporting.results import build_results, read_results, save_results, save_table

__all__ = ["build_results", "find_data_dir", "read_results", "save_results", "save_table"]
