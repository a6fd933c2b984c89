"""A simulated day of studio work on one account: photos sent on bench by bench, validated,
refused, reworked, broadcast, reshot; new references arrive and new products are shot.

Only the current copy of a photo (the one without child) moves, and only in productions not
archived. Every changed or added row gets a `date_mod` inside the day, so an incremental sync
by `date_mod` picks up exactly what the day changed.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from etl.simulators.chances import first_drawn
from etl.simulators.grandshooting import vocab
from etl.simulators.grandshooting.new_rows import new_picture, new_reference
from etl.simulators.grandshooting.statuses import (
    BenchStep,
    ExportPictureStatus,
    PictureStatus,
)
from etl.simulators.grandshooting.store import AccountData
from etl.simulators.grandshooting.table import Row

DAY = timedelta(days=1)
# Per day, the chance that a new reference arrives per existing reference, and that a
# reference never shot gets shot.
NEW_REFERENCE_RATE = 0.005
SHOOT_RATE = 0.15


@dataclass(frozen=True)
class Move:
    """What may happen in a day to a current copy in one status: with `chance`, it takes
    `to` (`send_on`: a copy on the next bench is made; `reshoot`: a new Live take)."""

    name: str
    chance: float
    to: int
    send_on: bool = False
    reshoot: bool = False


_RETOUCH = (BenchStep.PHASE_1, BenchStep.PHASE_2)
# (bench step, status) -> the moves tried in order; a photo makes at most one move a day.
MOVES: dict[tuple[int, int], tuple[Move, ...]] = {
    (BenchStep.LIVE, PictureStatus.SELECTED): (
        Move("sent_to_retouch", 0.30, PictureStatus.SELECTED, send_on=True),
    ),
    (BenchStep.LIVE, PictureStatus.NOT_SELECTED): (
        Move("reshoot_requested", 0.01, PictureStatus.RESHOOT),
    ),
    (BenchStep.LIVE, PictureStatus.RESHOOT): (
        Move("reshot", 0.35, PictureStatus.IGNORED, reshoot=True),
    ),
    **{
        (step, PictureStatus.SELECTED): (
            Move("sent_on", 0.35, PictureStatus.SELECTED, send_on=True),
        )
        for step in _RETOUCH
    },
    **{
        (step, PictureStatus.REFUSED_BY_RETOUCHER): (Move("reworked", 0.5, PictureStatus.SELECTED),)
        for step in _RETOUCH
    },
    (BenchStep.VALIDATION, PictureStatus.FOR_APPROVAL): (
        Move("validated", 0.25, PictureStatus.VALIDATED),
        Move("refused", 0.08, PictureStatus.REFUSED),
    ),
    (BenchStep.VALIDATION, PictureStatus.REFUSED): (
        Move("resubmitted", 0.4, PictureStatus.FOR_APPROVAL),
    ),
    (BenchStep.VALIDATION, PictureStatus.VALIDATED): (
        Move("broadcast", 0.3, PictureStatus.BROADCAST),
        Move("broadcast_error", 0.02, PictureStatus.BROADCAST_ERROR),
    ),
    (BenchStep.VALIDATION, PictureStatus.READY_TO_BROADCAST): (
        Move("broadcast", 0.5, PictureStatus.BROADCAST),
    ),
    (BenchStep.VALIDATION, PictureStatus.BROADCAST_ERROR): (
        Move("broadcast", 0.5, PictureStatus.BROADCAST),
    ),
}


@dataclass
class Progress:
    """What advancing changed on one account: moves and additions counted by name, and the
    ids of the pictures and references changed or added (each at most once)."""

    counts: Counter[str] = field(default_factory=Counter)
    pictures: set[int] = field(default_factory=set)
    references: set[int] = field(default_factory=set)

    def add(self, other: Progress) -> None:
        self.counts.update(other.counts)
        self.pictures |= other.pictures
        self.references |= other.references


class _Stamps:
    """Times spread over the day, strictly increasing, as the API writes them."""

    def __init__(self, start: datetime, events: int) -> None:
        self._start = start
        self._step = DAY / (events + 1)
        self._issued = 0

    def next(self) -> str:
        self._issued += 1
        moment = (self._start + self._step * self._issued).replace(microsecond=0)
        return moment.isoformat(timespec="milliseconds") + "Z"


def _format(data: AccountData, reference_id: int | None, code: str | None) -> Row:
    """The first format the reference's guideline asks for this view (format 1 without)."""
    formats = {f["format_id"]: f for f in data.formats}
    reference = data.references.get(reference_id) if reference_id is not None else None
    wanted = 1
    category_id = reference.get("category_id") if reference else None
    for category in data.categories:
        if category["category_id"] == category_id:
            for view in category["view_types"]:
                if view["code"] == code and view["formats"]:
                    wanted = view["formats"][0]["format_id"]
    return formats.get(wanted) or data.formats[0]


def _copy_on(
    data: AccountData, parent: Row, bench: Row, picture_id: int, stamp: str, rng: random.Random
) -> Row:
    """The copy of `parent` a bench receives: retouched TIFF, or an export in the view's
    format at validation (waiting for approval)."""
    row = {
        k: v
        for k, v in parent.items()
        if k not in ("transfer_date", "taginfo", "validation_date", "frame")
    }
    validation = bench["benchsteptype"] == BenchStep.VALIDATION
    name = str(parent.get("ref"))
    if validation:
        fmt = _format(data, parent.get("reference_id"), parent.get("view_type_code"))
        ext = str(fmt["file_format"]).lower()
        export = bench.get("meta_export_info") or vocab.EXPORTS[0]
        folder, width, height = export, fmt["width"], fmt["height"]
        icc = fmt["icc_profile"]
        filesize = int(int(fmt["max_file_size"]) * 1024 * rng.uniform(0.35, 0.95))
        row.update({"export": export, "exportpicturestatus": ExportPictureStatus.PENDING})
        status: int = PictureStatus.FOR_APPROVAL
    else:
        ext, folder, width, height = "tif", "TIFF", 4000, 5000
        icc, filesize = "Adobe RGB (1998)", rng.randint(40_000_000, 90_000_000)
        status = PictureStatus.SELECTED
    file_name = f"{name}-{picture_id}.{ext}"
    file_id = f"{rng.getrandbits(128):032x}"
    row.update(
        {
            "picture_id": picture_id,
            "bench_id": bench["bench_id"],
            "bench_root_id": bench["root_id"],
            "benchsteptype": bench["benchsteptype"],
            "benchstatus": bench["benchstatus"],
            "path": f"{bench['ext_lib_id']}/{folder}/{file_name}",
            "file_path": f"{folder}/{file_name}",
            "smalltext": file_name,
            "picturestatus": status,
            "filesize": filesize,
            "width": width,
            "height": height,
            "parent_id": parent["picture_id"],
            "child_ids": [],
            "thumbnail": f"https://cdn.simulator.grand-shooting.com/{file_id[:2]}/{file_id}.jpg",
            "hash": f"{rng.getrandbits(160):040x}",
            "file_id": file_id,
            "date_cre": stamp,
            "date_mod": stamp,
            "alerts": [],
        }
    )
    if icc is None:
        row.pop("icc_profile", None)
    else:
        row["icc_profile"] = icc
    return row


def advance_day(data: AccountData, start: datetime, rng: random.Random) -> Progress:
    """One day of work from `start` (the clock before the day); rows change copy-on-write."""
    progress = Progress()
    benches = {b["bench_id"]: b for b in data.benches()}
    following: dict[int, Row] = {}
    for production in data.productions:
        for before, after in zip(production, production[1:], strict=False):
            following[before["bench_id"]] = after
    planned: list[tuple[Row, Move]] = []
    for row in data.pictures.rows:
        bench = benches.get(row["bench_id"])
        if row["child_ids"] or bench is None or bench.get("archived"):
            continue
        moves = MOVES.get((row["benchsteptype"], row["picturestatus"]))
        move = first_drawn(rng, [(m, m.chance) for m in moves]) if moves else None
        if move is not None and (not move.send_on or row["bench_id"] in following):
            planned.append((row, move))
    arriving = max(1, round(len(data.references) * NEW_REFERENCE_RATE))
    shot = {p.get("reference_id") for p in data.pictures.rows}
    to_shoot = [
        r
        for r in data.references.rows
        if r["reference_id"] not in shot and rng.random() < SHOOT_RATE
    ]
    stamps = _Stamps(start, len(planned) + arriving + len(to_shoot))
    for row, move in planned:
        progress.counts[move.name] += 1
        _apply(data, row, move, following, stamps.next(), rng, progress)
    for _ in range(arriving):
        reference = new_reference(data, data.references.next_key(), stamps.next(), rng)
        data.references.append(reference)
        progress.references.add(reference["reference_id"])
        progress.counts["new_references"] += 1
    for reference in to_shoot:
        stamp = stamps.next()
        for position, code in enumerate(_views(data, reference)):
            status = PictureStatus.SELECTED if position == 0 else PictureStatus.NOT_SELECTED
            _add(data, new_picture(
                data, data.pictures.next_key(), stamp, rng,
                reference=reference, view_code=code, status=status,
            ), progress)  # fmt: skip
        progress.counts["products_shot"] += 1
    return progress


def _add(data: AccountData, row: Row, progress: Progress) -> None:
    data.pictures.append(row)
    progress.pictures.add(row["picture_id"])


def _apply(
    data: AccountData,
    row: Row,
    move: Move,
    following: dict[int, Row],
    stamp: str,
    rng: random.Random,
    progress: Progress,
) -> None:
    """`move` on the current copy `row`, every row it changes or adds stamped `stamp`."""
    fields: Row = {"picturestatus": move.to, "date_mod": stamp}
    if move.send_on:
        bench = following[row["bench_id"]]
        child = _copy_on(data, row, bench, data.pictures.next_key(), stamp, rng)
        _add(data, child, progress)
        # The status stays: it changed when the photo was sent on (`child_ids`, `date_mod`).
        fields = {"child_ids": [child["picture_id"]], "date_mod": stamp}
    elif move.to == PictureStatus.VALIDATED:
        fields["exportpicturestatus"] = ExportPictureStatus.EXPORTED
        fields["validation_date"] = stamp
    data.pictures.replace({**row, **fields})
    progress.pictures.add(row["picture_id"])
    if move.reshoot:
        reference = data.references.get(row.get("reference_id", -1))
        take = new_picture(
            data, data.pictures.next_key(), stamp, rng,
            reference=reference, view_code=row.get("view_type_code") or "FRONT",
            status=PictureStatus.SELECTED,
        )  # fmt: skip
        _add(data, take, progress)


def _views(data: AccountData, reference: Row) -> list[str]:
    """The view codes a first shoot of `reference` covers (its guideline's, else the default)."""
    for category in data.categories:
        if category["category_id"] == reference.get("category_id"):
            return [v["code"] for v in category["view_types"]][:3]
    return [code for code, _method, _formats in vocab.DEFAULT_VIEWS]
