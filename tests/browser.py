"""A headless Chromium driven over the DevTools protocol, for tests of rendered pages.

:func:`open_page` loads a ``file://`` page and reports what a reader's browser would
meet: requests that left the machine, console errors and uncaught exceptions, resources
that failed to load, images that did not render, and links to files or anchors that do
not exist. The browser is Debian's ``chromium``; :data:`CHROMIUM` is None without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import websocket

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LOCAL_SCHEMES = ("file", "data", "about", "blob")
CHECKS = """
(() => {
  const images = Array.from(document.images)
    .filter(i => !i.complete || i.naturalWidth === 0)
    .map(i => i.alt || i.src.slice(0, 60));
  const links = Array.from(document.querySelectorAll("a[href]")).map(a => a.href);
  const anchors = Array.from(document.querySelectorAll('a[href^="#"]'))
    .map(a => decodeURIComponent(a.getAttribute("href").slice(1)))
    .filter(id => id && !document.getElementById(id));
  return JSON.stringify({images, links, anchors});
})()
"""


@dataclass
class PageReport:
    """What loading one page showed."""

    url: str
    network: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Every problem, one line each (empty when the page is clean)."""
        return (
            [f"network request: {u}" for u in self.network]
            + [f"console error: {e}" for e in self.errors]
            + [f"failed to load: {u}" for u in self.failed]
            + [f"image did not render: {i}" for i in self.images]
            + [f"broken link: {u}" for u in self.broken_links]
        )


class Browser:
    """One headless Chromium with a page to drive (use as a context manager)."""

    def __init__(self) -> None:
        # chromium's helper processes can still be writing the profile as it closes
        self._profile = tempfile.TemporaryDirectory(ignore_cleanup_errors=True)
        self._proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        port = self._port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        self._ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30)
        self._id = 0
        self._events: list[dict] = []
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def _port(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self._proc.stderr.readline()
            found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if found:
                return int(found.group(1))
            if not line and self._proc.poll() is not None:
                break
        raise RuntimeError("chromium did not start its DevTools endpoint")

    def send(self, method: str, **params: object) -> dict:
        """Call a DevTools method and return its result (events are kept for later)."""
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self._ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._events.append(message)

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def _wait_for(self, method: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self._events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self._events.append(json.loads(self._ws.recv()))

    def open(self, path: Path) -> PageReport:
        """Load ``path`` and report what a reader's browser met (see :class:`PageReport`)."""
        url = path.resolve().as_uri()
        self._events.clear()
        self.send("Page.navigate", url=url)
        self._wait_for("Page.loadEventFired")
        time.sleep(0.3)  # late console messages
        self.evaluate("0")  # drain events queued meanwhile
        report = PageReport(url)
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                request_url = params["request"]["url"]
                if urlparse(request_url).scheme not in LOCAL_SCHEMES:
                    report.network.append(request_url)
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                report.failed.append(params.get("errorText", "?"))
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                report.errors.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
                )
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                report.errors.append(
                    details.get("exception", {}).get("description", details["text"])
                )
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                report.errors.append(params["entry"]["text"])
        checks = json.loads(self.evaluate(CHECKS))
        report.images = checks["images"]
        report.broken_links = [f"#{a}" for a in checks["anchors"]]
        for link in checks["links"]:
            parsed = urlparse(link)
            if parsed.scheme == "file" and not Path(unquote(parsed.path)).exists():
                report.broken_links.append(link)
            elif parsed.scheme not in LOCAL_SCHEMES:
                report.broken_links.append(f"{link} (leaves the machine)")
        return report

    def close(self) -> None:
        """Stop the browser."""
        self._ws.close()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, signal.SIGTERM)  # the browser and its helpers
        self._proc.wait(timeout=10)
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
