"""Execute one notebook with papermill into a reproducible executed notebook.

Notebooks run on the registered kernel ``partnership-eval`` (``make install`` registers
it with ``python -m ipykernel install --sys-prefix --name partnership-eval``), kept warm
across reports (:mod:`.kernel`), in the notebook's own directory, as in Jupyter and
under nbval. The executed notebook is normalised so that identical inputs give identical
bytes: timing metadata is removed and cells papermill adds (injected parameters, error
markers) get ids derived from their position instead of random ones.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
import papermill
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbformat import NotebookNode

from partnership_eval.errors import PartnershipEvalError
from partnership_eval.reporting.kernel import ENGINE, KERNEL, WarmKernel
from partnership_eval.reporting.parameters import read_notebook

KEPT_NOTEBOOK_METADATA = ("parameters", "default_parameters", "exception")
KEPT_CELL_METADATA = ("status", "exception")


@dataclass
class Execution:
    """An executed (or partially executed) notebook and how the execution ended."""

    notebook: NotebookNode
    error: str | None
    seconds: float


def check_kernel(kernel: str = KERNEL) -> None:
    """Raise a clear error when the Jupyter kernel ``kernel`` is not registered."""
    try:
        KernelSpecManager().get_kernel_spec(kernel)
    except NoSuchKernel:
        raise PartnershipEvalError(
            f"Jupyter kernel {kernel!r} is not registered; run `make install` or "
            f"`python -m ipykernel install --sys-prefix --name {kernel}`"
        ) from None


def normalise_notebook(nb: NotebookNode, source_ids: set[str]) -> NotebookNode:
    """Drop timing metadata and give cells that papermill added stable ids."""
    papermill_meta = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {
        k: papermill_meta[k] for k in KEPT_NOTEBOOK_METADATA if k in papermill_meta
    }
    nb.metadata.pop("widgets", None)
    used: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if "papermill" in cell.metadata:
            meta = cell.metadata["papermill"]
            cell.metadata["papermill"] = {k: meta[k] for k in KEPT_CELL_METADATA if k in meta}
        if cell.get("id") not in source_ids or cell.get("id") in used:
            tags = cell.metadata.get("tags", [])
            cell["id"] = f"{tags[0] if tags else cell.cell_type}-{index}"
        used.add(cell["id"])
        for output in cell.get("outputs", []):
            _drop_memory_addresses(output)
    return nb


MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _drop_memory_addresses(output: NotebookNode) -> None:
    """Remove object addresses (``<Styler at 0x7f…>``) that change from run to run."""
    text = output.get("data", {}).get("text/plain")
    if isinstance(text, str):
        output["data"]["text/plain"] = MEMORY_ADDRESS.sub("", text)


def _describe(exc: Exception) -> str:
    if isinstance(exc, papermill.PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue} (cell In [{exc.exec_count}])"
    return f"{type(exc).__name__}: {exc}"


def execute_notebook(
    source: str | Path,
    output: str | Path,
    parameters: Mapping[str, object],
    *,
    kernel: WarmKernel,
    env: Mapping[str, str] | None = None,
    cell_timeout: int | None = None,
) -> Execution:
    """Run ``source`` with ``parameters`` into ``output`` (written even when a cell fails).

    Parameters
    ----------
    source, output
        The notebook to run and where to write the executed notebook.
    parameters
        Checked parameter values (see :func:`~partnership_eval.reporting.parameters.validate_parameters`).
    kernel
        The running kernel to execute on; its namespace is reset first and the working
        directory set to the notebook's folder, as in Jupyter and under nbval.
    env
        Environment variables for the report (set in the kernel).
    cell_timeout
        Seconds a single cell may run (no limit when None).

    Returns
    -------
    Execution
        The normalised notebook, the error (``"NameError: ... (cell In [4])"``) or None,
        and the wall time of its cells.

    Raises
    ------
    KernelStartError
        When the kernel does not answer the reset (an infrastructure failure, to retry
        on another kernel; a notebook's own error is returned, never raised).
    """
    source, output = Path(source).resolve(), Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    source_nb = read_notebook(source)
    source_ids = {cell.get("id") for cell in source_nb.cells}
    error = None
    kernel.prepare(source.parent, env or {})
    start = time.perf_counter()  # the notebook's own time: the reset above is overhead
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=dict(parameters),
            engine_name=ENGINE,
            kernel_name=kernel.kernel_name,
            warm=kernel,
            progress_bar=False,
            execution_timeout=cell_timeout,
            record_timing=False,
        )
    except Exception as exc:  # a failing report is recorded, never fatal to the run
        error = _describe(exc)
    seconds = time.perf_counter() - start
    nb = nbformat.read(output, as_version=4) if output.exists() else source_nb
    nb = normalise_notebook(nb, source_ids)
    nbformat.write(nb, output)
    return Execution(notebook=nb, error=error, seconds=seconds)
