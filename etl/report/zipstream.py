"""A zip entry written by a background thread, so deflating overlaps making the next rows.

zlib and CRC-32 release the GIL: while the report's thread waits on DuckDB for rows and numbers
them, a second core deflates the previous ones. A bounded queue keeps what is in flight small.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import IO

IN_FLIGHT = 2  # chunks queued for the writer (each about half a MB of sheet XML)


class BackgroundWriter:
    """Writes bytes to `target` (an open zip entry) from its own thread, in order.

    `write` queues a chunk and returns; an error of the writer is raised by the next `write`
    or by `close`. The target is written only by the thread until `close` returns.
    """

    def __init__(self, target: IO[bytes], in_flight: int = IN_FLIGHT) -> None:
        self._target = target
        self._chunks: queue.Queue[bytes | Callable[[], bytes] | None] = queue.Queue(in_flight)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="xlsx-deflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._chunks.get()) is not None:
            if self._error is None:
                try:
                    self._target.write(chunk() if callable(chunk) else chunk)
                except BaseException as exc:  # handed to the producer by write/close
                    self._error = exc
            # After an error the queue is still drained, so a producer never blocks on it.

    def write(self, chunk: bytes | Callable[[], bytes]) -> None:
        """Queue `chunk`, or a function making it: run by the writer thread, in order."""
        if self._error is not None:
            raise self._error
        if chunk:
            self._chunks.put(chunk)

    def close(self) -> None:
        """Wait for every queued chunk to be written; raise the writer's error if any."""
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
            return
        # The producer failed: stop the thread, keep the producer's error.
        if self._thread.is_alive():
            self._chunks.put(None)
            self._thread.join()


class TextSink:
    """The `write(str)` side of a BackgroundWriter: UTF-8, as the sheet XML is declared."""

    def __init__(self, writer: BackgroundWriter) -> None:
        self._writer = writer

    def write(self, text: str) -> int:
        self._writer.write(text.encode("utf-8"))
        return len(text)

    def write_later(self, make: Callable[[], str]) -> None:
        """Have the writer thread make the text (between its deflates) and write it."""
        self._writer.write(lambda: make().encode("utf-8"))
