"""Checking that a roadmap's links still answer, for ``mlpath roadmap check-links``.

Every address is asked concurrently: at most 16 requests at once and 2 per host, each
with a timeout. A HEAD request first; a GET when the server refuses HEAD. Redirects are
followed, and a link whose final address differs is reported as moved. A host that
does not answer (refused, unknown, timed out) is marked down, so its other links cost
nothing more. Results are kept by the caller, for a day (:func:`fresh`).
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

AT_ONCE = 16
PER_HOST = 2
TIMEOUT = 10.0
KEPT_FOR = timedelta(days=1)
_AGENT = "mlpath-check-links (+https://github.com/mlpath)"
#: Answers that say the server does not do HEAD (a GET may still work).
_NO_HEAD = {400, 403, 405, 406, 429, 500, 501, 503}


@dataclass(frozen=True)
class Checked:
    """What one address answered: ``ok``, ``moved`` (to ``final``), ``dead``, or
    ``unsure`` (rate limited: not called dead)."""

    url: str
    status: str
    code: int | None
    final: str
    reason: str
    checked_at: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "status": self.status,
            "code": self.code,
            "final": self.final,
            "reason": self.reason,
            "checked_at": self.checked_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Checked | None:
        try:
            code = data.get("code")
            return cls(
                url=str(data["url"]),
                status=str(data["status"]),
                code=code if isinstance(code, int) else None,
                final=str(data.get("final") or ""),
                reason=str(data.get("reason") or ""),
                checked_at=datetime.fromisoformat(str(data["checked_at"])),
            )
        except (KeyError, ValueError, TypeError):
            return None


def fresh(kept: Iterable[Checked], now: datetime) -> dict[str, Checked]:
    """The kept results younger than a day, by address."""
    return {c.url: c for c in kept if timedelta(0) <= now - c.checked_at < KEPT_FOR}


def _ask(url: str, method: str, timeout: float) -> tuple[int, str]:
    """The status and the final address after redirects; HTTPError for 4xx/5xx."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": _AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status), str(response.geturl())


def check(
    urls: Iterable[str],
    now: datetime,
    *,
    timeout: float = TIMEOUT,
    at_once: int = AT_ONCE,
    per_host: int = PER_HOST,
    ask: Callable[[str, str, float], tuple[int, str]] = _ask,
) -> dict[str, Checked]:
    """Each address's answer, asked concurrently within the limits."""
    wanted = list(dict.fromkeys(urls))
    gates: dict[str, threading.Semaphore] = {}
    down: dict[str, str] = {}  # host -> why it is down
    lock = threading.Lock()

    def gate(host: str) -> threading.Semaphore:
        with lock:
            return gates.setdefault(host, threading.Semaphore(per_host))

    def one(url: str) -> Checked:
        host = urlsplit(url).netloc.lower()
        with gate(host):
            if host in down:
                return Checked(url, "dead", None, "", f"host down: {down[host]}", now)
            result = _one(url, timeout, ask, now)
            if result.code is None and result.status == "dead":
                with lock:
                    down.setdefault(host, result.reason)
            return result

    with ThreadPoolExecutor(max_workers=max(1, at_once)) as pool:
        return dict(zip(wanted, pool.map(one, wanted), strict=True))


def _one(
    url: str, timeout: float, ask: Callable[[str, str, float], tuple[int, str]], now: datetime
) -> Checked:
    for method in ("HEAD", "GET"):
        try:
            code, final = ask(url, method, timeout)
        except urllib.error.HTTPError as error:
            if method == "HEAD" and error.code in _NO_HEAD:
                continue
            if error.code == 429:
                return Checked(url, "unsure", 429, "", "rate limited", now)
            return Checked(url, "dead", error.code, "", f"HTTP {error.code}", now)
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            words = getattr(reason, "strerror", None) or str(reason)
            words = "timed out" if "timed out" in words else words
            return Checked(url, "dead", None, "", words[:120], now)
        if final and final.rstrip("/") != url.rstrip("/"):
            return Checked(url, "moved", code, final, f"redirected to {final}", now)
        return Checked(url, "ok", code, "", "", now)
    return Checked(url, "dead", None, "", "no answer", now)
