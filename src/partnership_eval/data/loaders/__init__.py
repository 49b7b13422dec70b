"""Loaders of raw public files: DfE KS2 tables, GIAS establishments, links and groups, Ofsted.

:func:`~partnership_eval.data.loaders.detect.read_known` reads a file and recognises its
kind from its header; each kind's module turns it into canonical-table rows.
:mod:`partnership_eval.data.ingest` runs them over a whole raw folder.
"""
