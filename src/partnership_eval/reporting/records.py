"""What the runner knows about one report once it has run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DATA_PARAMETER = "data_dir"


@dataclass
class ReportRecord:
    """One notebook × area report of a run.

    ``parameters`` are the values passed to the notebook, ``defaults`` the values its
    ``parameters`` cell declares; ``outputs`` maps kind (``ipynb``, ``html``,
    ``code_html``, ``results``) to the file written, relative to the run directory.
    ``inputs`` is the digest of everything the report depends on (see
    :mod:`.incremental`); ``reused`` marks a report kept from an earlier run with the same
    inputs, ``interrupted`` one the run was stopped before it finished.
    """

    notebook: str
    area: str | None
    slug: str
    parameters: dict[str, object]
    defaults: dict[str, object] = field(default_factory=dict)
    uses_data: bool = False
    notebook_sha256: str | None = None
    git_commit: str | None = None
    error: str | None = None
    seconds: float = 0.0
    compute_seconds: float = 0.0
    overhead_cpu_seconds: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)
    results: dict | None = None
    inputs: str | None = None
    finished: bool = False
    reused: bool = False
    interrupted: bool = False
    worker: str | None = None

    @property
    def failed(self) -> bool:
        """Whether the notebook stopped at an error."""
        return self.error is not None

    @property
    def status(self) -> str:
        """``"interrupted"``, ``"failed"`` or ``"ok"``, as shown in the index and manifest."""
        if self.interrupted:
            return "interrupted"
        return "failed" if self.failed else "ok"

    @property
    def title(self) -> str:
        """``notebook · area`` (``notebook · urn-<URN>`` for a school's report; the
        notebook alone when it has neither)."""
        if self.area:
            return f"{self.notebook} · {self.area}"
        return self.notebook if self.slug == "report" else f"{self.notebook} · {self.slug}"

    @property
    def all_parameters(self) -> dict[str, object]:
        """Every parameter the notebook ran with: its defaults overridden by the requested values."""
        return {**self.defaults, **self.parameters}

    @property
    def shown_parameters(self) -> dict[str, object]:
        """The parameters shown to readers: all but the data directory (a local path)."""
        return {k: v for k, v in self.all_parameters.items() if k != DATA_PARAMETER}
