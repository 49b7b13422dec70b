"""One room per report question, named like its notebook.

Each room exports its entry function and result type; every result has the shared face
of :class:`partnership_eval.result.Result`. Rooms import the layers below them (data,
panel, impact, result, disclosure, plots), never each other's internals.
"""
