"""The receiver's own durable journal: a small SQLite file, one row per accepted message.

SQLite in WAL mode with `synchronous=FULL`: a commit returns once the message is on disk, so a
200 sent after it is a promise the message survives a crash. Requests arriving together share
one commit (group commit): one fsync acknowledges them all.
"""

from __future__ import annotations

import hashlib
import os
import queue
import signal
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from etl.webhooks.message import Message

DDL = (
    """create table if not exists messages (
        id integer primary key autoincrement,
        received_at text not null,
        topic text not null,
        type text,
        account_id integer not null,
        body text not null,
        body_sha256 text not null,
        applied_at text,
        outcome text
    )""",
    "create index if not exists messages_pending on messages (id) where applied_at is null",
    "create index if not exists messages_topic on messages (account_id, topic, id)",
)

# Test hook: makes the receiver kill itself (SIGKILL) right before or after the commit of the
# first message, to prove a 200 is only sent for what is on disk.
CRASH_ENV = "SHOTLIST_WEBHOOK_TEST_CRASH"
CRASH_POINTS = ("before-commit", "after-commit")
MAX_GROUP = 256


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating) the spool with its durability settings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    con.execute("pragma journal_mode = wal")
    con.execute("pragma synchronous = full")
    con.execute("pragma busy_timeout = 30000")
    for statement in DDL:
        con.execute(statement)
    return con


@contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    con = connect(path)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[None]:
    con.execute("begin immediate")
    try:
        yield
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


@dataclass
class _Pending:
    message: Message
    body: bytes
    done: threading.Event = field(default_factory=threading.Event)
    stored: bool = False
    error: BaseException | None = None


class SpoolWriter:
    """The one thread that writes accepted messages; `store` blocks until they are on disk.

    A vendor retry of a message already stored (the 200 was lost) is recognised as a repeat of
    the last message stored for its account and topic, and stored once: the vendor sends
    nothing else on a topic until a message succeeds, so only the last one can come back.
    """

    def __init__(self, path: Path, *, crash: str | None = None) -> None:
        self.path = path
        self.crash = crash
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._last: dict[tuple[int, str], str] = {}
        self._con = connect(path)
        self._thread = threading.Thread(target=self._run, name="webhook-spool", daemon=True)
        self.stored = threading.Condition()
        self.count = 0
        self._thread.start()

    def store(self, message: Message, body: bytes, timeout: float = 30.0) -> bool:
        """Write one message durably; False when it repeats the last one of its topic."""
        pending = _Pending(message, body)
        self._queue.put(pending)
        if not pending.done.wait(timeout):
            raise TimeoutError("the spool did not commit in time")
        if pending.error is not None:
            raise pending.error
        return pending.stored

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._con.close()

    def _last_sha(self, account: int, topic: str) -> str | None:
        key = (account, topic)
        if key not in self._last:
            row = self._con.execute(
                "select body_sha256 from messages where account_id = ? and topic = ? "
                "order by id desc limit 1",
                key,
            ).fetchone()
            self._last[key] = row[0] if row else ""
        return self._last[key]

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)
                    break
                group.append(item)
            self._write(group)

    def _write(self, group: Sequence[_Pending]) -> None:
        received = utc_now().isoformat(sep=" ")
        last = dict(self._last)
        try:
            self._con.execute("begin immediate")
            for item in group:
                m = item.message
                sha = hashlib.sha256(item.body).hexdigest()
                key = (m.account_id, m.topic)
                if self._last_sha(*key) == sha:
                    continue
                self._con.execute(
                    "insert into messages (received_at, topic, type, account_id, body, "
                    "body_sha256) values (?, ?, ?, ?, ?, ?)",
                    [received, m.topic, m.type, m.account_id, item.body.decode("utf-8"), sha],
                )
                self._last[key] = sha
                item.stored = True
            self._die_at("before-commit")
            self._con.execute("commit")
            self._die_at("after-commit")
        except BaseException as exc:
            self._last = last
            if self._con.in_transaction:
                self._con.execute("rollback")
            for item in group:
                item.stored, item.error = False, exc
        with self.stored:
            self.count += sum(1 for item in group if item.stored)
            self.stored.notify_all()
        for item in group:
            item.done.set()

    def _die_at(self, point: str) -> None:
        if self.crash == point:
            os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Spooled:
    """A stored message as the drainer reads it."""

    id: int
    received_at: datetime
    topic: str
    type: str | None
    account_id: int
    body: str


def pending(con: sqlite3.Connection, limit: int) -> list[Spooled]:
    """The oldest messages not yet applied, in arrival order."""
    rows = con.execute(
        "select id, received_at, topic, type, account_id, body from messages "
        "where applied_at is null order by id limit ?",
        [limit],
    ).fetchall()
    return [Spooled(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def mark_applied(con: sqlite3.Connection, outcomes: Sequence[tuple[int, str]]) -> None:
    """Record what became of each message (`outcome` is 'applied' or why it was skipped)."""
    stamp = utc_now().isoformat(sep=" ")
    with transaction(con):
        con.executemany(
            "update messages set applied_at = ?, outcome = ? where id = ?",
            [(stamp, outcome, message_id) for message_id, outcome in outcomes],
        )


def purge_applied(con: sqlite3.Connection, keep_days: float) -> int:
    """Forget applied messages older than `keep_days` (the warehouse has them)."""
    cutoff = (utc_now() - timedelta(days=keep_days)).isoformat(sep=" ")
    with transaction(con):
        cursor = con.execute(
            "delete from messages where applied_at is not null and applied_at < ?", [cutoff]
        )
    return cursor.rowcount


def counts(con: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(topic, outcome or 'pending', messages): what `shotlist listen --status` prints."""
    rows = con.execute(
        "select topic, coalesce(outcome, 'pending'), count(*) from messages "
        "group by 1, 2 order by 1, 2"
    ).fetchall()
    return [(str(t), str(o), int(n)) for t, o, n in rows]
