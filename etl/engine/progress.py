"""Progress of a sync: a bar per resource on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import Protocol, TextIO

log = logging.getLogger("etl.sync")


class Progress(Protocol):
    def start(self, label: str, total_pages: int | None) -> None: ...

    def advance(self, pages: int, rows: int, total_pages: int | None = None) -> None: ...

    def finish(self, status: str, detail: str = "") -> None: ...

    def fork(self) -> Progress:
        """A progress of the same kind for one more resource running at the same time."""
        ...


class SilentProgress:
    def fork(self) -> SilentProgress:
        return self

    def start(self, label: str, total_pages: int | None) -> None:
        return None

    def advance(self, pages: int, rows: int, total_pages: int | None = None) -> None:
        return None

    def finish(self, status: str, detail: str = "") -> None:
        return None


class _Counter:
    def __init__(self) -> None:
        self.label = ""
        self.total: int | None = None
        self.pages = 0
        self.rows = 0
        self.started = time.monotonic()

    def reset(self, label: str, total: int | None) -> None:
        self.label, self.total = label, total
        self.pages = self.rows = 0
        self.started = time.monotonic()

    def add(self, pages: int, rows: int, total: int | None) -> None:
        self.pages += pages
        self.rows += rows
        if total is not None:
            self.total = total

    @property
    def rate(self) -> float:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return self.rows / elapsed


class BarProgress(_Counter):
    """One redrawn line per resource: pages done / total, rows, rows per second."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 24) -> None:
        super().__init__()
        self.stream, self.width = stream, width
        self._drawn = 0.0

    def fork(self) -> BarProgress:
        return BarProgress(self.stream, self.width)

    def start(self, label: str, total_pages: int | None) -> None:
        self.reset(label, total_pages)
        self._draw(force=True)

    def advance(self, pages: int, rows: int, total_pages: int | None = None) -> None:
        self.add(pages, rows, total_pages)
        self._draw()

    def _draw(self, force: bool = False, end: str = "") -> None:
        now = time.monotonic()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        if self.total:
            done = min(self.pages / self.total, 1.0)
            filled = int(done * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            pages = f"[{bar}] {self.pages}/{self.total} pages"
        else:
            pages = f"{self.pages} pages"
        line = f"\r{self.label:<34} {pages}  {self.rows:>9,} rows  {self.rate:>8,.0f} rows/s"
        self.stream.write(line + end)
        self.stream.flush()

    def finish(self, status: str, detail: str = "") -> None:
        self._draw(force=True)
        suffix = f"  {status}" + (f": {detail}" if detail else "")
        self.stream.write(suffix + "\n")
        self.stream.flush()


class LogProgress(_Counter):
    """For cron and CI: a log line at start, every `every` seconds, and at the end."""

    def __init__(self, every: float = 10.0) -> None:
        super().__init__()
        self.every = every
        self._last = 0.0

    def fork(self) -> LogProgress:
        return LogProgress(self.every)

    def start(self, label: str, total_pages: int | None) -> None:
        self.reset(label, total_pages)
        self._last = time.monotonic()
        log.info("%s: started", label)

    def advance(self, pages: int, rows: int, total_pages: int | None = None) -> None:
        self.add(pages, rows, total_pages)
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            of = f"/{self.total}" if self.total else ""
            log.info("%s: %d%s pages, %d rows", self.label, self.pages, of, self.rows)

    def finish(self, status: str, detail: str = "") -> None:
        log.info(
            "%s: %s, %d pages, %d rows, %.0f rows/s%s",
            self.label,
            status,
            self.pages,
            self.rows,
            self.rate,
            f" ({detail})" if detail else "",
        )


def default_progress(stream: TextIO = sys.stderr) -> Progress:
    return BarProgress(stream) if stream.isatty() else LogProgress()
