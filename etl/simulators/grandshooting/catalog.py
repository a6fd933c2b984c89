"""The simulated accounts behind the API: seeded generation, what is served, the mutation
API tests use to change rows between (or during) syncs, and the change hook webhooks hang on."""

from __future__ import annotations

import gc
import json
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from etl.simulators.grandshooting.generate import generate_account, iso
from etl.simulators.grandshooting.new_rows import new_picture, new_reference
from etl.simulators.grandshooting.progress import Progress, advance_day
from etl.simulators.grandshooting.statuses import STATUSES_BY_STEP, BenchStep, PictureStatus
from etl.simulators.grandshooting.store import AccountData
from etl.simulators.grandshooting.table import Row, Table

# A fixed "now" so that the same seed gives byte-identical data on any day.
FIXED_NOW = datetime(2026, 11, 20, 9, 30, 0)

# Told of every change of pictures and references: (the account number the API prints, the
# vendor's topic such as `pictures/update`, the rows as they now are, or were when deleted).
# Rows are the catalog's own (copy-on-write, never edited later): a listener must not edit them.
ChangeListener = Callable[[int, str, list[Row]], None]

RESOURCES = (
    "shooting_methods",
    "benches",
    "specification_formats",
    "specification_categories",
    "looks",
    "look_references",
    "references",
    "pictures",
)


@dataclass(frozen=True)
class CatalogSpec:
    """What to generate: `references` per account (about 11 pictures each), the seed, the
    accounts (0 is the token's own account, the others are delegated ones), the catalog's
    "now", and whether accounts have guidelines (API 3.3) or not (API 3.0)."""

    references: int = 2000
    seed: int = 42
    accounts: tuple[int, ...] = (0,)
    now: datetime = FIXED_NOW
    # False: accounts as on API 3.0, without specification categories (guidelines).
    guidelines: bool = True


@contextmanager
def _no_gc() -> Iterator[None]:
    # Hundreds of thousands of fresh dicts make the cyclic GC rescan them over and over.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def generate_catalog(spec: CatalogSpec) -> Catalog:
    """A deterministic catalog: the same spec gives the same rows."""
    if spec.references < 0:
        raise ValueError("references must be >= 0")
    if not spec.accounts or len(set(spec.accounts)) != len(spec.accounts):
        raise ValueError("accounts must be distinct account ids")
    if any(a < 0 for a in spec.accounts):
        raise ValueError("account ids must be >= 0 (0 is the token's own account)")
    accounts: dict[int, AccountData] = {}
    with _no_gc():
        for index, account_id in enumerate(spec.accounts):
            accounts[account_id] = generate_account(
                references=spec.references,
                seed=spec.seed,
                account_id=account_id,
                index=index,
                now=spec.now,
                guidelines=spec.guidelines,
            )
    return Catalog(spec, accounts)


def _copy(rows: Iterable[Row]) -> list[Row]:
    # Exactly the JSON the API sends, detached from the catalog's own rows.
    return list(json.loads(json.dumps(list(rows))))


class Catalog:
    """Every account's rows; all reads and changes go through one lock.

    Changes bump `date_mod` to `clock` (fixed by default so runs are deterministic; move it
    with `advance`). Deleted rows are trashed: they vanish from every list, as in the API.
    """

    def __init__(self, spec: CatalogSpec, accounts: dict[int, AccountData]) -> None:
        self.spec = spec
        self.clock: datetime = spec.now
        self.lock = threading.RLock()
        self._accounts = accounts
        self._listeners: list[ChangeListener] = []

    # -- reading ---------------------------------------------------------------------------

    @property
    def account_ids(self) -> tuple[int, ...]:
        return tuple(self._accounts)

    def account(self, account_id: int = 0) -> AccountData:
        try:
            return self._accounts[account_id]
        except KeyError:
            known = ", ".join(str(a) for a in self._accounts)
            raise KeyError(f"unknown account {account_id} (known: {known})") from None

    def records(self, resource: str, account_id: int = 0) -> list[dict[str, Any]]:
        """The objects the API currently serves for `resource` (named as in the connector's
        declaration); look references also carry their `look_id`."""
        with self.lock:
            data = self.account(account_id)
            rows: list[Row]
            if resource == "shooting_methods":
                rows = data.shooting_methods
            elif resource == "benches":
                rows = data.benches()
            elif resource == "specification_formats":
                rows = data.formats
            elif resource == "specification_categories":
                rows = data.categories
            elif resource == "looks":
                rows = data.looks
            elif resource == "look_references":
                rows = [
                    {**member, "look_id": look["look_id"]}
                    for look in data.looks
                    for member in data.look_references.get(look["look_id"], [])
                ]
            elif resource == "references":
                rows = list(data.references.rows)
            elif resource == "pictures":
                rows = list(data.pictures.rows)
            else:
                raise KeyError(f"unknown resource {resource!r} (known: {', '.join(RESOURCES)})")
        return _copy(rows)

    def size(self) -> int:
        """Pictures and references of every account."""
        with self.lock:
            return sum(len(a.pictures) + len(a.references) for a in self._accounts.values())

    def counts(self, account_id: int = 0) -> dict[str, int]:
        """Rows served per resource: what the CLI prints on start."""
        with self.lock:
            data = self.account(account_id)
            return {
                "references": len(data.references),
                "pictures": len(data.pictures),
                "productions": len(data.productions),
                "benches": len(data.benches()),
                "looks": len(data.looks),
                "specification_categories": len(data.categories),
            }

    # -- the change hook -------------------------------------------------------------------

    def subscribe(self, listener: ChangeListener) -> Callable[[], None]:
        """Call `listener` after each change of pictures or references (every mutation method
        and `advance_days`), under the catalog lock; returns the call that unsubscribes."""
        with self.lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self.lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, account_id: int, resource: str, action: str, rows: list[Row]) -> None:
        if not rows or not self._listeners:
            return
        api_account_id = self.account(account_id).api_account_id
        for listener in list(self._listeners):
            listener(api_account_id, f"{resource}/{action}", rows)

    def _emit_progress(
        self, account_id: int, progress: Progress, first_new: dict[str, int]
    ) -> None:
        """What `advance_days` changed: ids from `first_new[resource]` on were created."""
        data = self.account(account_id)
        for resource, ids in (("pictures", progress.pictures), ("references", progress.references)):
            table: Table = getattr(data, resource)
            rows = [row for key in sorted(ids) if (row := table.get(key)) is not None]
            new = first_new[resource]
            self._emit(account_id, resource, "create", [r for r in rows if r[table.key] >= new])
            self._emit(account_id, resource, "update", [r for r in rows if r[table.key] < new])

    # -- the clock -------------------------------------------------------------------------

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward (`advance(days=1)`, `advance(hours=2)`); returns it."""
        with self.lock:
            self.clock = self.clock + timedelta(**delta)
            return self.clock

    def advance_days(self, days: int, rng: random.Random | None = None) -> dict[int, Progress]:
        """Run `days` simulated days of studio work on every account (see `progress`): photos
        move status, new references arrive and get shot, each change stamped inside its day.
        The clock ends `days` later. Without `rng`, each account-day draws from a generator
        seeded by the catalog's seed, the account and the day, so the same catalog advanced
        the same way always gives the same rows. Returns what changed, per account."""
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        with self.lock:
            changes = {account_id: Progress() for account_id in self._accounts}
            first_new = {
                account_id: {
                    "pictures": d.pictures.next_key(),
                    "references": d.references.next_key(),
                }
                for account_id, d in self._accounts.items()
            }
            for _ in range(days):
                start = self.clock
                for account_id, data in self._accounts.items():
                    seed = f"grandshooting-day:{self.spec.seed}:{account_id}:{start.isoformat()}"
                    day = advance_day(data, start, rng or random.Random(seed))
                    changes[account_id].add(day)
                self.clock = start + timedelta(days=1)
            for account_id, progress in changes.items():
                self._emit_progress(account_id, progress, first_new[account_id])
            return changes

    def _now(self) -> str:
        return iso(self.clock.replace(microsecond=0))

    # -- changing rows ---------------------------------------------------------------------

    def _update(self, table: Table, ids: Iterable[int], fields: dict[str, Any]) -> list[Row]:
        if table.key in fields:
            raise ValueError(f"{table.key} cannot be changed")
        ids = list(ids)
        missing = [i for i in ids if table.get(i) is None]
        if missing:
            raise KeyError(f"no visible {table.key} {missing}")
        stamp = self._now()
        changed: list[Row] = []
        for key in ids:
            row = dict(table.get(key) or {})
            for name, value in fields.items():
                if value is None:
                    row.pop(name, None)  # the API omits empty fields
                else:
                    row[name] = value
            if "date_mod" not in fields:
                row["date_mod"] = stamp
            table.replace(row)
            changed.append(row)
        return changed

    def update_pictures(self, ids: Iterable[int], account_id: int = 0, **fields: Any) -> None:
        """Set `fields` on pictures (None removes a field); `date_mod` becomes the clock."""
        with self.lock:
            rows = self._update(self.account(account_id).pictures, ids, fields)
            self._emit(account_id, "pictures", "update", rows)

    def update_references(self, ids: Iterable[int], account_id: int = 0, **fields: Any) -> None:
        """Set `fields` on references (None removes a field); `date_mod` becomes the clock."""
        with self.lock:
            rows = self._update(self.account(account_id).references, ids, fields)
            self._emit(account_id, "references", "update", rows)

    def delete_pictures(self, ids: Iterable[int], account_id: int = 0) -> None:
        """Trash pictures: they vanish from every list and answer 404."""
        with self.lock:
            self._emit(account_id, "pictures", "delete", self._remove(account_id, "pictures", ids))

    def delete_references(self, ids: Iterable[int], account_id: int = 0) -> None:
        """Delete references; their pictures stay (as the API documents)."""
        with self.lock:
            removed = self._remove(account_id, "references", ids)
            self._emit(account_id, "references", "delete", removed)

    def _remove(self, account_id: int, resource: str, ids: Iterable[int]) -> list[Row]:
        """Remove rows by key; returns them as they were."""
        table: Table = getattr(self.account(account_id), resource)
        removed: list[Row] = []
        for key in list(ids):
            row = table.get(key)
            table.remove(key)
            if row is not None:
                removed.append(row)
        return removed

    def add_pictures(self, n: int, account_id: int = 0, **fields: Any) -> list[int]:
        """`n` new Live pictures (not selected) of existing references, on the Live bench of the
        latest active production; ids above every existing one. Returns their ids."""
        with self.lock:
            data = self.account(account_id)
            stamp = self._now()
            rows: list[Row] = []
            for _ in range(n):
                row = new_picture(data, data.pictures.next_key(), stamp, data.rng)
                row.update({k: v for k, v in fields.items() if v is not None})
                data.pictures.append(row)
                rows.append(row)
            self._emit(account_id, "pictures", "create", rows)
            return [row["picture_id"] for row in rows]

    def add_references(self, n: int, account_id: int = 0, **fields: Any) -> list[int]:
        """`n` new references (no pictures yet); ids above every existing one."""
        with self.lock:
            data = self.account(account_id)
            stamp = self._now()
            rows: list[Row] = []
            for _ in range(n):
                row = new_reference(data, data.references.next_key(), stamp, data.rng)
                row.update({k: v for k, v in fields.items() if v is not None})
                data.references.append(row)
                rows.append(row)
            self._emit(account_id, "references", "create", rows)
            return [row["reference_id"] for row in rows]

    def churn(self, resource: str, account_id: int, updates: int, inserts: int) -> None:
        """What happens while a client pages: a few rows change status and date, and (for
        pictures) a few new ones arrive. Deterministic for a given sequence of calls."""
        with self.lock:
            data = self.account(account_id)
            rng = data.rng
            table = data.pictures if resource == "pictures" else data.references
            resource_name = "pictures" if resource == "pictures" else "references"
            changed: list[Row] = []
            if len(table):
                for _ in range(updates):
                    row = table.rows[rng.randrange(len(table))]
                    if resource == "pictures":
                        step = row.get("benchsteptype", BenchStep.LIVE)
                        allowed = STATUSES_BY_STEP.get(step, (PictureStatus.NOT_SELECTED,))
                        fields: dict[str, Any] = {"picturestatus": rng.choice(allowed)}
                    else:
                        comment = rng.choice(("Reshoot requested", "Colour checked", "Urgent"))
                        fields = {"comment": comment}
                    changed.extend(self._update(table, [row[table.key]], fields))
            self._emit(account_id, resource_name, "update", changed)
            if resource == "pictures" and inserts:
                self.add_pictures(inserts, account_id)


__all__ = [
    "FIXED_NOW",
    "RESOURCES",
    "Catalog",
    "CatalogSpec",
    "ChangeListener",
    "generate_catalog",
]
