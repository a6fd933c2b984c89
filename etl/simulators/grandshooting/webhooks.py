"""Webhook delivery as Grand Shooting documents it, for the simulator.

Per account and topic, every `interval` (10 s) the queued changes are sent as POSTs of at most
50 records; a message not answered 200 is tried again after 10 s and 1 min, and nothing else
goes out on that topic until a try succeeds or the third one fails.

The sender is fed through `notify(account_id, topic, records)`, the hook a store calls when
rows change. Until the catalog calls it itself, `CatalogWatcher` derives the same calls by
comparing the tables with a snapshot at each tick (rows are copy-on-write, so a changed row is
a new object).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from etl.redact import register_secret
from etl.simulators.grandshooting.catalog import Catalog
from etl.simulators.grandshooting.table import Row, Table

# Resource -> (the `type` of its messages, its key).
# Tries kept in `deliveries` (a long demo must not grow without bound).
LOG_SIZE = 100_000
RESOURCES = {"pictures": ("picture", "picture_id"), "references": ("reference", "reference_id")}


@dataclass(frozen=True)
class DeliveryPolicy:
    """The vendor's timings (tests shorten them)."""

    interval: float = 10.0
    batch_size: int = 50
    retry_delays: tuple[float, ...] = (10.0, 60.0)
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if self.interval <= 0 or self.batch_size < 1 or any(d < 0 for d in self.retry_delays):
            raise ValueError("webhook delivery: interval > 0, batch_size >= 1, delays >= 0")


@dataclass(frozen=True)
class Delivery:
    """One try of one message, as the sender saw it."""

    account_id: int
    topic: str
    ids: tuple[int, ...]
    attempt: int
    status: int | None
    error: str | None
    sent_at: float
    answered_at: float

    @property
    def ok(self) -> bool:
        return self.status == 200


def describe_url(url: str) -> str:
    """The URL to print: its last path segment is the receiver's secret, so it is masked."""
    split = urlsplit(url)
    head, _, secret = split.path.rpartition("/")
    register_secret(secret)
    return f"{split.scheme}://{split.netloc}{head}/***" if secret else url


class _Waker:
    """Interruptible sleeps: `wake()` ends every current wait early, `stop()` ends them all."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0
        self.stopped = False

    def sleep(self, seconds: float) -> bool:
        """Wait `seconds` or until woken; False once stopped."""
        with self._cond:
            start = self._generation
            self._cond.wait_for(lambda: self.stopped or self._generation != start, timeout=seconds)
            return not self.stopped

    def wake(self) -> None:
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self.stopped = True
            self._cond.notify_all()


class CatalogWatcher:
    """Finds what changed in a catalog's pictures and references since the last poll."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._seen: dict[tuple[int, str], tuple[int, dict[int, Row]]] = {}
        with catalog.lock:
            for account_id in catalog.account_ids:
                for resource in RESOURCES:
                    table = getattr(catalog.account(account_id), resource)
                    self._seen[(account_id, resource)] = (table.version, _by_key(table))

    def poll(self, notify: Callable[[int, str, list[Row]], None]) -> None:
        """Call `notify(api_account_id, topic, rows)` for each kind of change found."""
        with self.catalog.lock:
            for (account_id, resource), (version, before) in list(self._seen.items()):
                data = self.catalog.account(account_id)
                table = getattr(data, resource)
                if table.version == version:
                    continue
                now = _by_key(table)
                self._seen[(account_id, resource)] = (table.version, now)
                created = [r for k, r in now.items() if k not in before]
                updated = [r for k, r in now.items() if k in before and before[k] is not r]
                deleted = [r for k, r in before.items() if k not in now]
                for action, rows in (("create", created), ("update", updated), ("delete", deleted)):
                    if rows:
                        notify(data.api_account_id, f"{resource}/{action}", _copy(rows))


def _by_key(table: Table) -> dict[int, Row]:
    return dict(zip(table.ids, table.rows, strict=True))


def _copy(rows: list[Row]) -> list[Row]:
    # What goes on the wire is JSON: detach it from the catalog's rows.
    return list(json.loads(json.dumps(rows)))


@dataclass
class _Topic:
    """One account's topic: the changes waiting for the next tick, and its delivery thread."""

    account_id: int
    topic: str
    queued: dict[int, Row] = field(default_factory=dict)
    tick: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class WebhookSender:
    """Delivers catalog changes to `url` in the background until `close()`."""

    def __init__(
        self,
        url: str,
        catalog: Catalog | None = None,
        policy: DeliveryPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.policy = policy or DeliveryPolicy()
        self.watcher = CatalogWatcher(catalog) if catalog is not None else None
        self._transport = transport
        self._waker = _Waker()
        self._lock = threading.Lock()
        self._topics: dict[tuple[int, str], _Topic] = {}
        self._log: list[Delivery] = []
        self._logged = threading.Condition()
        self._ticker = threading.Thread(target=self._tick, name="webhook-ticker", daemon=True)

    # -- the hook --------------------------------------------------------------------------

    def notify(self, account_id: int, topic: str, records: list[Row]) -> None:
        """Queue changed records of one topic; they leave at the topic's next tick."""
        resource = topic.split("/", 1)[0]
        key = RESOURCES[resource][1]
        with self._lock:
            slot = self._topics.get((account_id, topic))
            if slot is None:
                slot = self._topics[(account_id, topic)] = _Topic(account_id, topic)
                slot.thread = threading.Thread(
                    target=self._deliver_loop, args=(slot,), name=f"webhook-{topic}", daemon=True
                )
                if self._ticker.is_alive():
                    slot.thread.start()
            for record in records:
                # A record changed twice before its tick is sent once, in its latest state.
                slot.queued.pop(record[key], None)
                slot.queued[record[key]] = record

    # -- running ---------------------------------------------------------------------------

    def start(self) -> WebhookSender:
        self._ticker.start()
        with self._lock:
            for slot in self._topics.values():
                if slot.thread is not None and not slot.thread.is_alive():
                    slot.thread.start()
        return self

    def nudge(self) -> None:
        """End the current waits now (the interval, a retry delay): for tests and demos."""
        self._waker.wake()

    def close(self) -> None:
        self._waker.stop()
        self._ticker.join(timeout=10)
        with self._lock:
            threads = [s.thread for s in self._topics.values() if s.thread is not None]
            for slot in self._topics.values():
                slot.tick.set()
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout=self.policy.timeout + 5)

    def __enter__(self) -> WebhookSender:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def deliveries(self) -> list[Delivery]:
        with self._logged:
            return list(self._log)

    def wait_for(self, predicate: Callable[[list[Delivery]], bool], timeout: float) -> bool:
        """Block until `predicate(deliveries)` holds (re-checked at each try) or `timeout`."""
        with self._logged:
            return self._logged.wait_for(lambda: predicate(list(self._log)), timeout=timeout)

    def pending(self) -> int:
        """Records queued and not yet taken by a delivery."""
        with self._lock:
            return sum(len(s.queued) for s in self._topics.values())

    # -- threads ---------------------------------------------------------------------------

    def _tick(self) -> None:
        while self._waker.sleep(self.policy.interval):
            if self.watcher is not None:
                self.watcher.poll(self.notify)
            with self._lock:
                for slot in self._topics.values():
                    if slot.queued:
                        slot.tick.set()

    def _deliver_loop(self, slot: _Topic) -> None:
        with httpx.Client(timeout=self.policy.timeout, transport=self._transport) as client:
            while not self._waker.stopped:
                slot.tick.wait()
                slot.tick.clear()
                with self._lock:
                    batch, slot.queued = list(slot.queued.values()), {}
                size = self.policy.batch_size
                for start in range(0, len(batch), size):
                    if self._waker.stopped:
                        return
                    self._send(client, slot, batch[start : start + size])

    def _send(self, client: httpx.Client, slot: _Topic, records: list[Row]) -> bool:
        """Try one message up to 1 + len(retry_delays) times; the topic waits meanwhile."""
        resource = slot.topic.split("/", 1)[0]
        kind, key = RESOURCES[resource]
        ids = [r[key] for r in records]
        body: dict[str, Any] = {"account_id": slot.account_id, "topic": slot.topic, "type": kind}
        body["ids"] = ids
        if resource == "pictures":
            body["picture_id"] = ids  # deprecated twin of `ids`, still sent by the vendor
        body["data"] = {str(r[key]): r for r in records}
        payload = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json"}
        delays = (0.0, *self.policy.retry_delays)
        for attempt, delay in enumerate(delays, start=1):
            if delay and not self._waker.sleep(delay):
                return False
            sent = time.time()
            status: int | None = None
            error: str | None = None
            try:
                status = client.post(self.url, content=payload, headers=headers).status_code
            except httpx.HTTPError as exc:
                error = type(exc).__name__
            self._record(
                Delivery(slot.account_id, slot.topic, tuple(ids), attempt, status, error, sent,
                         time.time())
            )  # fmt: skip
            if status == 200:
                return True
        return False

    def _record(self, delivery: Delivery) -> None:
        with self._logged:
            self._log.append(delivery)
            if len(self._log) > LOG_SIZE:
                del self._log[: LOG_SIZE // 2]
            self._logged.notify_all()


__all__ = ["CatalogWatcher", "Delivery", "DeliveryPolicy", "WebhookSender", "describe_url"]
