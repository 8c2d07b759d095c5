"""Make the pictures the README shows, from a learner made up for them: two topics done,
one in progress, one skipped, four weeks of logged time.

    python docs/pictures.py        # needs mlpath installed, Chromium and Graphviz

It writes docs/progress.svg (mlpath progress --svg), docs/graph.svg (mlpath graph
--format dot, drawn by Graphviz) and docs/report.png (a screenshot of mlpath progress
--html in headless Chromium, offline).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

DOCS = Path(__file__).resolve().parent


def main() -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or shutil.which("dot") is None:
        sys.exit("docs/pictures.py needs Chromium and Graphviz (dot).")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "MLPATH_HOME": home, "COLUMNS": "100"}
        env.pop("MLPATH_ROADMAP", None)

        def mlpath(*args: str) -> str:
            return subprocess.run(
                [sys.executable, "-m", "mlpath", *args],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout

        today = date.today()
        for days, spent in (
            (1, "2h"),
            (3, "1h30m"),
            (6, "2h"),
            (9, "1h"),
            (11, "2h30m"),
            (15, "1h30m"),
            (18, "2h"),
            (22, "1h"),
            (25, "1h30m"),
        ):
            mlpath("log", "foundations", spent, "--on", (today - timedelta(days=days)).isoformat())
        mlpath("done", "foundations")
        mlpath("done", "algorithms")
        mlpath("start", "deep-learning")
        mlpath("done", "deep-learning", "book")
        mlpath("skip", "nlp")
        mlpath("progress", "--svg", str(DOCS / "progress.svg"), "--force")
        drawn = subprocess.run(
            ["dot", "-Tsvg"],
            input=mlpath("graph", "--format", "dot"),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (DOCS / "graph.svg").write_text(drawn, encoding="utf-8")
        page = Path(home) / "report.html"
        mlpath("progress", "--html", str(page))
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--proxy-server=http://127.0.0.1:9",
                "--hide-scrollbars",
                f"--user-data-dir={Path(home) / 'chromium'}",
                "--window-size=1000,1900",
                f"--screenshot={DOCS / 'report.png'}",
                page.as_uri(),
            ],
            capture_output=True,
            check=True,
        )
    print("wrote docs/progress.svg, docs/graph.svg and docs/report.png")


if __name__ == "__main__":
    main()
