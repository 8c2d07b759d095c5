"""The rules for single values: one per kind (a moment, a duration, a number, text, a
link, an id), used by every door a value comes in by: command arguments, roadmap files,
imports, old state files, the database, the config file and the cache.

Each rule either returns the value (made canonical where that matters, as a link's host
in its ASCII form) or raises :class:`Invalid` with a sentence that names the value and
says what is allowed. Pure: no clock (``now`` is passed in), no I/O.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

#: The years a stored date may fall in.
FIRST_YEAR = 1970
LAST_YEAR = 2100
#: How far ahead of this machine's clock an imported moment may be: another machine's
#: clock may run a little fast.
CLOCK_TOLERANCE = timedelta(days=1)
#: The longest study time one entry, or one day all entries together, may hold.
MAX_DAY_MINUTES = 24 * 60
#: The most characters a number typed or read may have before it is converted.
MAX_NUMBER_CHARS = 20
#: The most characters a note, a link or a session's note may hold.
MAX_TEXT_CHARS = 10_000
MAX_URL_CHARS = 2_000
#: Hours a roadmap may estimate for one topic.
MAX_ESTIMATE_HOURS = 100_000

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Characters no link may hold: they end a link in Markdown or HTML, or are invisible.
_BAD_URL_CHARS = set('<>"`\\')
#: The same rule for an ASCII address, as one search: spaces, controls and those marks.
_BAD_ASCII_URL = re.compile(r'[\x00-\x20\x7f<>"`\\]')
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
#: What an id looks like: lowercase words of letters and digits joined by single hyphens.
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID_CHARS = 200


class Invalid(ValueError):
    """A value that breaks its rule; the message is one sentence for people."""


# --- moments --------------------------------------------------------------------------------


def moment(value: datetime, what: str) -> datetime:
    """An aware moment within the supported years."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid(f"{what} has no UTC offset.")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise Invalid(
            f"{what} lies outside the dates mlpath keeps ({FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31)."
        )
    return value


def past(value: datetime, now: datetime, what: str, tolerance: timedelta = timedelta()) -> datetime:
    """A moment within the supported years and not after ``now`` (plus ``tolerance``):
    what is recorded has happened."""
    moment(value, what)
    if value > now + tolerance:
        raise Invalid(f"{what} is in the future; record what has happened.")
    return value


def parse_moment(text: str, what: str) -> datetime:
    """An ISO 8601 moment with its UTC offset, as exports and the database write them."""
    if len(text) > 40:
        raise Invalid(f"{what} is not a date and time.")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{what} is not a date and time ({text!r}).") from None
    return moment(value, what)


def in_order(first: datetime | None, then: datetime | None, what: str) -> None:
    """Two dates of one topic that must come in this order, e.g. started, then done."""
    if first is not None and then is not None and then < first:
        raise Invalid(f"{what}: {moment_text(then)} is before {moment_text(first)}.")


def moment_text(value: datetime) -> str:
    """A moment in a message: its date, and its time unless it is midnight."""
    midnight = (value.hour, value.minute) == (0, 0)
    return value.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")


# --- numbers --------------------------------------------------------------------------------


def number(text: str, what: str) -> float:
    """A finite decimal number written with digits and at most one point."""
    cleaned = text.strip()
    if len(cleaned) > MAX_NUMBER_CHARS or not re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        raise Invalid(f"{what} '{shown(text)}' is not a number mlpath accepts.")
    value = float(cleaned)
    if not math.isfinite(value):  # cannot happen with 20 digits; kept as the rule
        raise Invalid(f"{what} '{shown(text)}' is not a finite number.")
    return value


def whole(value: object, what: str, low: int, high: int) -> int:
    """A whole number (not a boolean, not text) from ``low`` to ``high``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(f"{what} must be a whole number, not {_kind(value)}.")
    if not low <= value <= high:
        shown_value = str(value) if abs(value) < 10**30 else "a number that large"
        raise Invalid(f"{what} must be from {low} to {high}, not {shown_value}.")
    return value


def _kind(value: object) -> str:
    return {bool: "true or false", str: "text", float: "a fraction"}.get(
        type(value), type(value).__name__
    )


# --- text -----------------------------------------------------------------------------------


def text(value: object, what: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Unicode text without lone surrogates (what is not UTF-8) and of a bounded size."""
    if not isinstance(value, str):
        raise Invalid(f"{what} must be text, not {_kind(value)}.")
    if _SURROGATE.search(value):
        raise Invalid(f"{what} is not valid UTF-8 text.")
    if len(value) > limit:
        raise Invalid(f"{what} is longer than {limit} characters.")
    return value


def identifier(value: object, what: str) -> str:
    """An id of a roadmap, topic or resource: the one rule for every door (roadmap files,
    imports, sync, the database)."""
    if not isinstance(value, str):
        raise Invalid(f"{what} must be an id, not {_kind(value)}")
    if len(value) > MAX_ID_CHARS or not ID.fullmatch(value):
        raise Invalid(
            f"{shown(value)!r} is not an id: lowercase letters and digits in words joined "
            "by single hyphens"
        )
    return value


def shown(value: str, limit: int = 40) -> str:
    """``value`` cut to a length an error message can repeat."""
    return value if len(value) <= limit else value[: limit - 3] + "..."


def is_utf8(value: str) -> bool:
    """False for text holding bytes that were not UTF-8 (as Python reads such arguments)."""
    return _SURROGATE.search(value) is None


# --- links ----------------------------------------------------------------------------------


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a link mlpath accepts, or None. Accepted: http or https, a
    host that is a valid host name or IP address, no user name or password, a valid port,
    and no spaces, control characters, quotes or angle brackets anywhere."""
    if len(value) > MAX_URL_CHARS:
        return "it is too long"
    if (
        _BAD_ASCII_URL.search(value)
        if value.isascii()
        else any(c.isspace() or not c.isprintable() or c in _BAD_URL_CHARS for c in value)
    ):
        return "it holds a space, a control character, a quote or an angle bracket"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "its host or port is not valid"
    if not parts.scheme and not parts.netloc:
        return "it is a relative address: give the whole address, starting with https://"
    if parts.scheme not in ("http", "https"):
        return "only http and https links are accepted"
    if "@" in parts.netloc:
        return "it holds a user name or password"
    if not parts.hostname or _host(parts.hostname) is None:
        return "it has no valid host name"
    if port == 0:
        return "its port is not valid"
    return None


def url(value: object, what: str) -> str:
    """An accepted link, its host in ASCII: ``https://\u0430pple.com/`` (a Cyrillic a) becomes
    ``https://xn--pple-43d.com/``, so that a look-alike shows as what it is."""
    checked = text(value, what, MAX_URL_CHARS)
    problem = url_problem(checked)
    if problem is not None:
        raise Invalid(f"{what} {shown(checked, 80)!r} is not an accepted link: {problem}.")
    parts = urlsplit(checked)
    hostname = parts.hostname or ""
    host = _host(hostname) or hostname
    if host == hostname.lower() and parts.netloc.islower():
        return checked
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def is_url(value: str) -> bool:
    return url_problem(value) is None


def _host(name: str) -> str | None:
    """The host in ASCII (IDNA), or None when it is not a valid host name or address."""
    if ":" in name:  # an IPv6 address, which urlsplit has checked for brackets
        import ipaddress

        try:
            return str(ipaddress.IPv6Address(name))
        except ValueError:
            return None
    try:
        ascii_name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    labels = ascii_name.removesuffix(".").split(".")
    if len(ascii_name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return ascii_name


def markdown_url(value: str) -> str:
    """A link as Markdown's ``<...>`` holds it: every character that could end it or
    start markup percent-encoded."""
    from urllib.parse import quote

    return quote(value, safe=":/?#[]@!$&()*+,;=%-._~")


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 topic``, ``3 topics`` (``many`` where adding an s is wrong: ``entries``)."""
    return f"{count} {one if count == 1 else many or one + 's'}"
