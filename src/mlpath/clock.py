"""The one clock: what time it is, for the commands.

The core never reads the time; it is handed a moment. The edge (the commands, the
terminal app) asks :func:`now` once per command and hands the moment down, and the
storage is given this function to date its snapshots and journal rows.

``MLPATH_NOW`` is a testing aid, the way ``SOURCE_DATE_EPOCH`` is one for builds: when it
holds an ISO 8601 date and time (``2026-06-10T09:30:00+02:00``; without an offset it is
the machine's local time), every command takes that moment for "now". Tests set it so that
no result depends on the day the suite runs.
"""

from __future__ import annotations

import os
from datetime import datetime

from mlpath.core.errors import UsageError

ENVIRONMENT = "MLPATH_NOW"


def now() -> datetime:
    """The present moment in the machine's time zone, to the second."""
    given = os.environ.get(ENVIRONMENT)
    if not given:
        return datetime.now().astimezone().replace(microsecond=0)
    try:
        moment = datetime.fromisoformat(given.strip())
    except ValueError:
        raise UsageError(
            f"{ENVIRONMENT} is set to {given!r}, which is not an ISO 8601 date and time "
            "(for example 2026-06-10T09:30:00+02:00). Unset it to use the machine's clock."
        ) from None
    return moment.astimezone().replace(microsecond=0)
