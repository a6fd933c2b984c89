"""The drainer: spooled messages -> raw tables, one locked batch at a time.

Each batch takes the warehouse lock for itself only, so a sync and the drainer interleave: a
batch that finds the warehouse busy leaves its messages in the spool for the next round. A
message is marked applied after its batch committed; a crash in between re-applies it, which
changes nothing (older-or-equal records never replace newer ones).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from etl.config import Config
from etl.errors import WarehouseLockedError
from etl.redact import RedactingFilter
from etl.warehouse_kind import is_lake, warehouse_path
from etl.webhooks import apply, spool
from etl.webhooks.config import spool_location
from etl.webhooks.message import TOPICS, MalformedMessage, parse_message
from etl.workspace import locked, open_warehouse

log = logging.getLogger("etl.webhooks")

# The drainer holds the lock as `shotlist listen`, for one batch at a time (a 500-message
# batch lands in about 5 s): `shotlist sync` and `run` wait this long for it, not for others.
DRAINER = "listen"
WAIT_FOR_DRAINER = 10.0
DRAINER_NICENESS = 5


@dataclass
class DrainReport:
    """What a drain did: per-table results, messages skipped (kept, by reason), and whether it
    found the warehouse busy (then nothing of that batch was applied)."""

    messages: int = 0
    applied: list[apply.Applied] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    busy: str | None = None
    waiting: str | None = None

    @property
    def rows(self) -> int:
        return sum(a.landed for a in self.applied)

    def add(self, other: DrainReport) -> None:
        self.messages += other.messages
        self.applied.extend(other.applied)
        for reason, n in other.skipped.items():
            self.skipped[reason] = self.skipped.get(reason, 0) + n
        self.busy, self.waiting = other.busy, other.waiting

    def summary(self) -> str:
        parts = [f"{self.messages} messages, {self.rows} rows landed"]
        stale = sum(a.stale for a in self.applied)
        if stale:
            parts.append(f"{stale} older than stored (ignored)")
        deleted = sum(a.deleted for a in self.applied)
        if deleted:
            parts.append(f"{deleted} marked deleted")
        quarantined = sum(a.quarantined for a in self.applied)
        if quarantined:
            parts.append(f"{quarantined} quarantined")
        parts.extend(
            f"{n} skipped ({reason.removeprefix('skipped: ')})"
            for reason, n in sorted(self.skipped.items())
        )
        if self.waiting:
            parts.append(self.waiting)
        return ", ".join(parts)


def paths(config: Config) -> tuple[Path, Path]:
    """(warehouse, spool) as absolute paths."""
    warehouse = warehouse_path(config)
    return warehouse, config.resolve(spool_location(config.webhooks, warehouse))


def scope_for(config: Config, account_id: int) -> int | None:
    """The sync scope an account's events land in, or None when no sync reads that account."""
    settings = config.sources.grandshooting
    if settings is None:
        return None
    if account_id in settings.account_ids:
        return account_id
    own = config.webhooks.own_account_id
    if own is not None:
        return 0 if account_id == own else None
    # Without delegated accounts the sync reads the key's own account only (scope 0).
    return 0 if not settings.account_ids else None


def _plan(
    config: Config, messages: list[spool.Spooled]
) -> tuple[dict[tuple[int, str], list[apply.Change]], dict[int, str], dict[tuple[int, str], int]]:
    """Group records by (scope, resource); every message gets its outcome."""
    groups: dict[tuple[int, str], list[apply.Change]] = defaultdict(list)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    outcomes: dict[int, str] = {}
    for item in messages:
        if item.topic not in TOPICS:
            outcomes[item.id] = f"skipped: unknown topic {item.topic}"
            continue
        scope = scope_for(config, item.account_id)
        if scope is None:
            outcomes[item.id] = f"skipped: account {item.account_id} is not synced"
            continue
        try:
            message = parse_message(item.body.encode("utf-8"))
        except MalformedMessage as exc:  # checked on receipt; only a hand-edited spool gets here
            outcomes[item.id] = f"skipped: {exc}"
            continue
        resource, action = TOPICS[item.topic]
        deleted = action == "delete"
        changes = groups[(scope, resource)]
        counts[(scope, resource)] += 1
        key_name = apply.SOURCE.resource(resource).primary_key[0]
        seen: set[int] = set()
        for record in message.records():
            key = record.get(key_name)
            changes.append(apply.Change(key, record, deleted, item.received_at))
            if isinstance(key, int):
                seen.add(key)
        if deleted:
            changes.extend(
                apply.Change(i, None, True, item.received_at) for i in message.ids if i not in seen
            )
        outcomes[item.id] = "applied"
    return groups, outcomes, counts


def drain_batch(config: Config, *, command: str = DRAINER) -> DrainReport:
    """Apply the oldest pending messages (up to `[webhooks] batch_messages`) under the lock."""
    return _batch(config, lambda: locked(config, command))


def drain_pending(config: Config, *, command: str = "sync", max_batches: int = 1000) -> DrainReport:
    """Apply everything pending, taking the lock per batch (as `listen`'s drainer does).

    Stops early (messages stay in the spool) when the warehouse is busy.
    """
    return _repeat(lambda: drain_batch(config, command=command), max_batches)


def apply_pending(config: Config, *, max_batches: int = 1000) -> DrainReport:
    """Apply everything pending; the caller holds the warehouse lock (`shotlist sync`, `run`)."""
    return _repeat(lambda: _batch(config, nullcontext), max_batches)


def drain_before_sync(config: Config) -> DrainReport | None:
    """What a sync does first, under its lock: land the spooled events, logging what was.

    A failure is a warning and never stops the sync, which repairs what the hooks missed.
    On a lake there is no spool (the receiver lands into the file warehouse only).
    """
    if is_lake(config):
        return None
    try:
        report = apply_pending(config)
    except Exception as exc:
        spool_path = paths(config)[1]
        log.warning("%s: webhook events not applied before the sync (kept): %s", spool_path, exc)
        return None
    if report.messages:
        log.info("webhook events applied before the sync: %s", report.summary())
    if report.busy or report.waiting:
        log.warning("webhook events kept in the spool: %s", report.busy or report.waiting)
    return report


def _repeat(batch: Callable[[], DrainReport], max_batches: int) -> DrainReport:
    total = DrainReport()
    for _ in range(max_batches):
        report = batch()
        total.add(report)
        if report.messages == 0 or report.busy or report.waiting:
            break
    return total


def _batch(config: Config, hold: Callable[[], AbstractContextManager[object]]) -> DrainReport:
    """One batch: the oldest pending messages landed inside `hold()` (the lock, or nothing
    when the caller has it), then marked applied in the spool."""
    report = DrainReport()
    warehouse_file, spool_path = paths(config)
    if not spool_path.exists():
        return report
    with spool.opened(spool_path) as sp:
        messages = spool.pending(sp, config.webhooks.batch_messages)
        if not messages:
            return report
        if config.sources.grandshooting is None:
            report.waiting = "no [sources.grandshooting] section: messages kept in the spool"
            return report
        groups, outcomes, counts = _plan(config, messages)
        run_id = f"webhook-{spool.utc_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        try:
            with hold(), open_warehouse(config) as warehouse:
                apply.ensure_tables(warehouse)
                for (scope, resource), changes in sorted(groups.items()):
                    report.applied.append(
                        apply.apply_changes(
                            warehouse, run_id, resource, scope, changes, counts[(scope, resource)]
                        )
                    )
        except WarehouseLockedError as exc:
            report.busy = str(exc)
            report.applied.clear()
            return report
        except duckdb.IOException as exc:
            # A reader holds the file open (DuckDB allows one writing process or readers).
            report.busy = f"{warehouse_file}: in use ({str(exc).splitlines()[0]})"
            report.applied.clear()
            return report
        spool.mark_applied(sp, sorted(outcomes.items()))
        report.messages = len(messages)
        for outcome in outcomes.values():
            if outcome != "applied":
                report.skipped[outcome] = report.skipped.get(outcome, 0) + 1
    return report


def purge(config: Config) -> int:
    """Drop applied messages older than `[webhooks] keep_days`."""
    _, spool_path = paths(config)
    if not spool_path.exists():
        return 0
    with spool.opened(spool_path) as sp:
        return spool.purge_applied(sp, config.webhooks.keep_days)


def _log_like(level: int) -> None:
    # A spawned process starts without the parent's logging set-up: the same level, redacted.
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())


def _drain_once(config: Config, total: DrainReport) -> None:
    try:
        report = drain_pending(config, command=DRAINER)
    except Exception:  # the next round retries; the messages are still in the spool
        log.exception("webhook drain failed")
        return
    if report.messages:
        log.info("webhooks drained: %s", report.summary())
    if report.busy:
        log.info("warehouse busy, drain postponed: %s", report.busy)
    total.add(report)


def _drain_forever(config: Config, stop: Any, parent: int, level: int, out: Any) -> None:
    """The drainer process: every `drain_every` seconds, until told to stop or orphaned."""
    _log_like(level)
    # Behind the receiver for the CPU: a slow answer stalls the vendor's topic (and costs a
    # retry), a slower drain only delays the row by a moment.
    os.nice(DRAINER_NICENESS)
    total = DrainReport()
    purge(config)
    while not stop.wait(config.webhooks.drain_every):
        if os.getppid() != parent:
            return  # the listener was killed: its restart starts a new drainer
        _drain_once(config, total)
    _drain_once(config, total)
    out.put(total)


class Drainer:
    """Drains every `[webhooks] drain_every` seconds in a child process, until `close()`.

    A process, not a thread: validating and landing records is CPU work that would otherwise
    hold the receiver's interpreter lock and slow the acknowledgements down.
    """

    def __init__(self, config: Config) -> None:
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._out: Any = context.Queue()
        self._process = context.Process(
            target=_drain_forever,
            args=(config, self._stop, os.getpid(), log.getEffectiveLevel(), self._out),
            name="shotlist-webhook-drainer",
            daemon=True,
        )

    def start(self) -> None:
        # Started with Ctrl-C and SIGTERM ignored, which the child inherits from its first
        # instruction: those signals reach the whole process group, and the listener stops
        # the drainer itself, after the receiver, so that its last drain happens.
        if threading.current_thread() is not threading.main_thread():
            self._process.start()
            return
        previous = [(s, signal.signal(s, signal.SIG_IGN)) for s in (signal.SIGINT, signal.SIGTERM)]
        try:
            self._process.start()
        finally:
            for number, handler in previous:
                signal.signal(number, handler)

    def close(self) -> DrainReport:
        """Stop after one last drain, so what was acknowledged is landed when possible."""
        self._stop.set()
        while True:
            try:
                total: DrainReport = self._out.get(timeout=0.5)
                break
            except queue.Empty:
                if not self._process.is_alive():
                    total = DrainReport(waiting="the drainer stopped without reporting")
                    break
        self._process.join(timeout=30)
        return total


__all__ = [
    "DRAINER",
    "WAIT_FOR_DRAINER",
    "DrainReport",
    "Drainer",
    "apply_pending",
    "drain_batch",
    "drain_before_sync",
    "drain_pending",
    "paths",
    "scope_for",
]
