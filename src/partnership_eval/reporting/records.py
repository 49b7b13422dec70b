"""What the runner knows about one report once it has run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ReportRecord:
    """One notebook × area report of a run.

    ``outputs`` maps kind (``ipynb``, ``html``, ``code_html``, ``results``) to the file
    written, relative to the run directory.
    """

    notebook: str
    area: str | None
    slug: str
    parameters: dict[str, object]
    error: str | None = None
    seconds: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)
    results: dict | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> str:
        return "failed" if self.failed else "ok"

    @property
    def title(self) -> str:
        return f"{self.notebook} · {self.area}" if self.area else self.notebook
