"""Explicit download of the public DfE/GIAS files into ``data/raw`` (the only network use).

Each file is streamed to a temporary name, checked for size, renamed into place, and
recorded with its address, size and SHA-256 in ``download_manifest.json`` so a later
ingest can say exactly which release it read. Publishers move files; a list of
``{name, url, path}`` sources can replace the built-in one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from partnership_eval.errors import PartnershipEvalError

MANIFEST_NAME = "download_manifest.json"
CHUNK = 1 << 16

GIAS_BASE = "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public"
KS2_BASE = (
    "https://www.compare-school-performance.service.gov.uk/download-data"
    "?download=true&regions=0&filters=KS2&fileformat=csv&year={year}&meta=false"
)
KS2_YEARS = ("2015-2016", "2016-2017", "2017-2018", "2018-2019")


@dataclass(frozen=True)
class Source:
    """One file to fetch: a short name, its address and where it goes under the destination."""

    name: str
    url: str
    path: str


def official_sources(today: dt.date | None = None) -> list[Source]:
    """The official addresses: GIAS extracts of ``today`` and KS2 tables of 2016–2019.

    Ofsted's management-information files change address every month; download them by
    hand from gov.uk (see ``data/raw/README.md``) or pass them with ``--sources``.
    """
    stamp = (today or dt.date.today()).strftime("%Y%m%d")
    gias = [
        Source(
            "gias_establishments",
            f"{GIAS_BASE}/edubasealldata{stamp}.csv",
            f"gias/edubasealldata{stamp}.csv",
        ),
        Source(
            "gias_links",
            f"{GIAS_BASE}/links_edubasealldata{stamp}.csv",
            f"gias/links_edubasealldata{stamp}.csv",
        ),
        Source(
            "gias_group_links",
            f"{GIAS_BASE}/allgroupslinksdata{stamp}.csv",
            f"trusts/allgroupslinksdata{stamp}.csv",
        ),
    ]
    ks2 = [
        Source(f"ks2_{year}", KS2_BASE.format(year=year), f"ks2/{year}/england_ks2final.csv")
        for year in KS2_YEARS
    ]
    return gias + ks2


def load_sources(path: str | Path) -> list[Source]:
    """Sources from a JSON list of ``{"name", "url", "path"}`` objects."""
    try:
        items = json.loads(Path(path).read_text())
        return [Source(str(i["name"]), str(i["url"]), str(i["path"])) for i in items]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PartnershipEvalError(
            f"{path}: not a list of {{name, url, path}} sources ({exc}); fix the JSON file"
        ) from exc


def _fetch(source: Source, target: Path, say: Callable[[str], None], timeout: float) -> dict:
    partial = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    size = 0
    try:
        with (
            urllib.request.urlopen(source.url, timeout=timeout) as response,
            open(partial, "wb") as out,
        ):
            total = int(response.headers.get("Content-Length") or 0)
            next_report = 0
            while block := response.read(CHUNK):
                out.write(block)
                digest.update(block)
                size += len(block)
                if size >= next_report:
                    share = f" ({100 * size / total:.0f}%)" if total else ""
                    say(f"{source.name}: {size / 1e6:.1f} MB{share}")
                    next_report = size + (1 << 20)
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = getattr(exc, "code", None) or getattr(exc, "reason", exc)
        raise PartnershipEvalError(
            f"{source.url}: download of {source.name} failed ({reason}); check the address "
            "or your connection, or pass corrected addresses with --sources"
        ) from exc
    if total and size != total:
        partial.unlink(missing_ok=True)
        raise PartnershipEvalError(
            f"{source.url}: got {size} of {total} bytes for {source.name}; download it again"
        )
    partial.replace(target)
    say(f"{source.name}: done, {size / 1e6:.1f} MB")
    return {
        **asdict(source),
        "bytes": size,
        "sha256": digest.hexdigest(),
        "downloaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def download(
    dest: str | Path = "data/raw",
    *,
    sources: list[Source] | None = None,
    only: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
    timeout: float = 60.0,
) -> Path:
    """Fetch each source into ``dest`` and record it in the download manifest; return its path.

    Raises
    ------
    PartnershipEvalError
        A name in ``only`` is unknown, or a download fails (nothing partial is left behind).

    Examples
    --------
    >>> download("data/raw", only=["ks2_2018-2019"])  # doctest: +SKIP
    """
    dest = Path(dest)
    chosen = sources if sources is not None else official_sources()
    if only:
        unknown = sorted(set(only) - {s.name for s in chosen})
        if unknown:
            raise PartnershipEvalError(
                f"unknown source(s) {', '.join(unknown)}; choose from "
                f"{', '.join(s.name for s in chosen)}"
            )
        chosen = [s for s in chosen if s.name in only]
    manifest_path = dest / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"files": {}}
    say = progress or (lambda message: None)
    for source in chosen:
        target = dest / source.path
        target.parent.mkdir(parents=True, exist_ok=True)
        manifest["files"][source.path] = _fetch(source, target, say, timeout)
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest_path
