"""Progress output for long work: a rich progress bar on a terminal, plain log lines elsewhere (CI, Airflow logs)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("plough")


@contextmanager
def progress(description: str, total: int | None = None, unit: str = "bytes") -> Iterator[Callable[[int], None]]:
    """Yield a callback `advance(n)` that reports progress of `description` towards `total`.

    On an interactive terminal this draws a rich progress bar; otherwise it logs a line at most every
    ten seconds, so Airflow task logs show that long work is moving without drowning in output.
    """
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        counter = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
        with Progress(TextColumn("{task.description}"), BarColumn(), counter, TimeRemainingColumn(),
                      transient=False) as bar:
            task = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task, n)
        return
    done = 0
    last = time.monotonic()
    start = last

    def advance(n: int) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if now - last >= 10:
            share = f" ({100 * done / total:.0f}%)" if total else ""
            log.info("%s: %s %s%s after %.0fs", description, f"{done:,}", unit, share, now - start)
            last = now

    yield advance
    log.info("%s: done, %s %s in %.1fs", description, f"{done:,}", unit, time.monotonic() - start)
