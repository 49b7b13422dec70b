"""`download`: fetch files over HTTP with progress and a checksum manifest (local server only)."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from functools import partial
from pathlib import Path

import pytest

from partnership_eval.data.download import MANIFEST_NAME, Source, download, official_sources
from partnership_eval.errors import PartnershipEvalError


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_writes_files_and_checksum_manifest(server, tmp_path):
    root, base = server
    body = b"URN,TELIG,PTRWM_EXP\n" + b"100001,30,70%\n" * 100_000
    (root / "ks2.csv").write_bytes(body)
    messages: list[str] = []
    sources = [Source("ks2_2018-2019", f"{base}/ks2.csv", "ks2/2018-2019/england_ks2final.csv")]
    manifest_path = download(tmp_path / "raw", sources=sources, progress=messages.append)
    target = tmp_path / "raw" / "ks2" / "2018-2019" / "england_ks2final.csv"
    assert target.read_bytes() == body
    entry = json.loads(manifest_path.read_text())["files"]["ks2/2018-2019/england_ks2final.csv"]
    assert entry["sha256"] == hashlib.sha256(body).hexdigest()
    assert entry["bytes"] == len(body)
    assert any("%" in m for m in messages) and messages[-1].startswith("ks2_2018-2019: done")


def test_failed_download_names_the_address_and_leaves_nothing(server, tmp_path):
    _, base = server
    sources = [Source("gias", f"{base}/missing.csv", "gias/missing.csv")]
    with pytest.raises(PartnershipEvalError, match=r"missing.csv: download of gias failed \(404\)"):
        download(tmp_path / "raw", sources=sources)
    assert not any(p.is_file() for p in (tmp_path / "raw").rglob("*"))


def test_only_selects_sources_and_rejects_unknown_names(server, tmp_path):
    root, base = server
    (root / "a.csv").write_text("a\n")
    sources = [Source("a", f"{base}/a.csv", "a.csv"), Source("b", f"{base}/b.csv", "b.csv")]
    download(tmp_path / "raw", sources=sources, only=["a"])
    assert json.loads((tmp_path / "raw" / MANIFEST_NAME).read_text())["files"].keys() == {"a.csv"}
    with pytest.raises(PartnershipEvalError, match="unknown source"):
        download(tmp_path / "raw", sources=sources, only=["c"])


def test_official_sources_name_dated_gias_files_and_ks2_years():
    import datetime as dt

    sources = {s.name: s for s in official_sources(dt.date(2022, 4, 20))}
    assert sources["gias_establishments"].url.endswith("/edubasealldata20220420.csv")
    assert sources["ks2_2018-2019"].path == "ks2/2018-2019/england_ks2final.csv"
    assert all(s.url.startswith("https://") for s in sources.values())


def test_cli_download_uses_a_sources_file(server, tmp_path, capsys):
    from partnership_eval.cli import main

    root, base = server
    (root / "f.csv").write_text("x\n")
    spec = tmp_path / "sources.json"
    spec.write_text(json.dumps([{"name": "f", "url": f"{base}/f.csv", "path": "f.csv"}]))
    assert main(["download", "--dest", str(tmp_path / "raw"), "--sources", str(spec)]) == 0
    assert (tmp_path / "raw" / "f.csv").read_text() == "x\n"
    assert Path(capsys.readouterr().out.split()[-1]).name == MANIFEST_NAME
