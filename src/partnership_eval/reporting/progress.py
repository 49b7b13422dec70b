"""Progress of a run: a bar with ETA on a terminal, one line per report otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from tqdm import tqdm

from partnership_eval.reporting.records import ReportRecord


class Progress:
    """Counts reports as they finish; ``say`` gets the lines (None: silent)."""

    def __init__(self, total: int, say: Callable[[str], None] | None, *, bar: bool) -> None:
        self.total = total
        self.say = say or (lambda message: None)
        self.count = 0
        self.kept = 0
        self.start = time.perf_counter()
        self.bar = (
            tqdm(total=total, unit="report", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
            if bar and say is not None
            else None
        )

    def reused(self) -> None:
        """One report kept from an earlier run (inputs unchanged)."""
        self.count += 1
        self.kept += 1
        if self.bar is not None:
            self.bar.update()

    def done(self, record: ReportRecord) -> None:
        """One report finished (ok or failed)."""
        self.count += 1
        outcome = f"FAILED: {record.error}" if record.failed else "ok"
        line = f"[{self.count}/{self.total}] {record.title}: {outcome} ({record.seconds:.1f} s)"
        if self.bar is None:
            self.say(line)
            return
        if record.failed:
            self.bar.write(line, file=sys.stderr)
        self.bar.set_postfix_str(record.title, refresh=False)
        self.bar.update()

    def close(self) -> None:
        """Remove the bar (before the final lines)."""
        if self.bar is not None:
            self.bar.close()

    def summary(self, failed: int) -> None:
        """The closing line: reports, time, failures, reports kept."""
        kept = f", {self.kept} unchanged (kept)" if self.kept else ""
        self.say(
            f"{self.total} report(s) in {time.perf_counter() - self.start:.1f} s, "
            f"{failed} failed{kept}"
        )
