"""The standalone HTML in headless Chromium: it renders (not blank) and requests nothing.

Chromium's NetLog records every network request with the page it was made for: requests of a
`file://` page carry `file://` in their network isolation key, while the browser's own background
traffic (component updates, time queries) carries none. A control page with remote images proves
the page's requests are seen; the report page must make none. All traffic goes to a recording
proxy on loopback (`<-loopback>`: nothing bypasses it), so nothing leaves the machine either.
"""

from __future__ import annotations

import json
import os
import shutil
import socketserver
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from etl.config import Config
from etl.report import write_report

from .catalog import AS_OF

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=760,2400",
)
HEADER_BAND = (0x24, 0x3B, 0x53)  # the report header's background colour


def find_chromium() -> str:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail("Chromium not found in CI: .ci/run must install it (apt-get install chromium)")
    pytest.skip("no Chromium found on PATH (install the `chromium` package to run this test)")


class _Recorder(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(4096).decode("latin-1").strip()
        self.server.requests.append(line)  # type: ignore[attr-defined]
        self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")


class RecordingProxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy() -> Iterator[RecordingProxy]:
    server = RecordingProxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def page_requests(netlog: Path) -> list[str]:
    """URLs of network requests made on behalf of a `file://` page, from a Chromium NetLog."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = []
    for event in log["events"]:
        params = event.get("params") or {}
        isolation = str(params.get("network_isolation_key", ""))
        if event["type"] == start_job and "url" in params and "file://" in isolation:
            urls.append(params["url"])
    return urls


def screenshot(
    chromium: str, page: Path, out: Path, proxy: RecordingProxy, tmp: Path
) -> tuple[Image.Image, list[str]]:
    """Render `page`; returns the screenshot and the network requests the page made."""
    profile = tmp / f"profile-{out.stem}"
    netlog = tmp / f"{out.stem}.netlog.json"
    command = [
        chromium,
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--proxy-server={proxy.url}",
        "--proxy-bypass-list=<-loopback>",
        f"--log-net-log={netlog}",
        f"--screenshot={out}",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.exists(), done.stderr[-2000:]
    return Image.open(out).convert("RGB"), page_requests(netlog)


def test_chromium_renders_report_without_requests(
    config: Config, tmp_path: Path, proxy: RecordingProxy
) -> None:
    chromium = find_chromium()

    control = tmp_path / "control.html"
    control.write_text(
        '<html><body><img src="http://shotlist-canary.invalid/pixel.png" alt="">'
        '<img src="https://cdn.shotlist-canary.invalid/a.png" alt=""></body></html>',
        encoding="utf-8",
    )
    _, requested = screenshot(chromium, control, tmp_path / "control.png", proxy, tmp_path)
    assert requested == [
        "http://shotlist-canary.invalid/pixel.png",
        "https://cdn.shotlist-canary.invalid/a.png",
    ]
    assert any("shotlist-canary.invalid" in r for r in proxy.requests)

    [page] = write_report(config, formats=["html"], out_dir=tmp_path / "out", as_of=AS_OF)
    image, requested = screenshot(chromium, page, tmp_path / "report.png", proxy, tmp_path)
    assert requested == []

    width, height = image.size
    assert (width, height) == (760, 2400)
    pixels = np.asarray(image, dtype=np.int16).reshape(-1, 3)
    background = np.array(image.getpixel((2, height - 2)), dtype=np.int16)
    painted = int((pixels != background).any(axis=1).sum())
    assert painted > 0.25 * len(pixels)  # page background, cards, tables and charts
    band = int((np.abs(pixels - np.array(HEADER_BAND)) < 6).all(axis=1).sum())
    assert band > 20_000  # the dark header rendered with its inline style
    assert len(np.unique(pixels, axis=0)) > 200  # text and charts, not a flat error page
