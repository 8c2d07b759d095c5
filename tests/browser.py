"""Headless Chromium for the tests that look at pages and pictures as a user's browser
draws them: the page's title, the requests it made, and a screenshot."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from conftest import without_faketime

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

#: Quiet, isolated, and with the network shut: a proxy that refuses every connection.
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--proxy-server=http://127.0.0.1:9",
)


@dataclass(frozen=True)
class Visit:
    dom: str  # the document as Chromium built it
    requests: list[str]  # what the page asked the network for (not Chromium's own traffic)
    screenshot: Path | None  # when asked for


def visit(path: Path, width: int = 1100, height: int = 1600, screenshot: bool = True) -> Visit:
    """Open a file in headless Chromium: its DOM, the page's requests, and (unless
    ``screenshot`` is false, which saves a second start of the browser) a screenshot."""
    assert CHROMIUM is not None
    work = Path(tempfile.mkdtemp(prefix="mlpath-chromium-"))
    netlog = work / "net.json"
    url = path.resolve().as_uri()
    common = [CHROMIUM, *_FLAGS, f"--window-size={width},{height}"]
    dom = subprocess.run(
        [*common, f"--user-data-dir={work / 'a'}", f"--log-net-log={netlog}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=without_faketime(),
    ).stdout
    if not screenshot:
        return Visit(dom, page_requests(netlog), None)
    shot = work / "shot.png"
    subprocess.run(
        [*common, f"--user-data-dir={work / 'b'}", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
        check=True,
        env=without_faketime(),
    )
    return Visit(dom, page_requests(netlog), shot)


def page_requests(netlog: Path) -> list[str]:
    """The requests a page started, from Chromium's net log: those with an initiator (a
    page's origin, "null" for a file), leaving out the browser's own (update checks, its
    clock), which have none, and the file itself."""
    log = json.loads(netlog.read_text(encoding="utf-8"))
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    found = []
    for event in log["events"]:
        params = event.get("params", {})
        if names.get(event["type"]) != "URL_REQUEST_START_JOB" or "url" not in params:
            continue
        if params.get("initiator") == "not an origin":
            continue
        if not params["url"].startswith(("file:", "data:")):
            found.append(params["url"])
    return found


def ink(png: Path) -> tuple[float, int]:
    """The share of pixels that are not the background (the top-left pixel's colour) and
    the number of distinct colours, of a PNG screenshot (8-bit RGB or RGBA)."""
    rows, step = _pixels(png)
    background = bytes(rows[0][:3])
    colours: set[bytes] = set()
    marked = sampled = 0
    for line in rows[::4]:  # every fourth row, every other pixel: plenty
        for x in range(0, len(line), step * 2):
            pixel = bytes(line[x : x + 3])
            colours.add(pixel)
            marked += pixel != background
            sampled += 1
    return marked / sampled, len(colours)


def _pixels(png: Path) -> tuple[list[bytearray], int]:
    """The rows of a PNG's pixels, and the bytes per pixel."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6) and header[12] == 0  # not interlaced
    step = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * step
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], line, previous, step)
        rows.append(line)
        previous = line
    return rows, step


def _unfilter(kind: int, line: bytearray, previous: bytearray, step: int) -> None:
    """Undo a row's PNG filter (None, Sub, Up, Average, Paeth), in place."""
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        up = previous[i]
        corner = previous[i - step] if i >= step else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + best) & 0xFF
