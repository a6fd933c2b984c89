"""Seeded generator of one realistic Grand Shooting account: catalog, guidelines, looks,
productions with their benches, and pictures moving through the workflow bench by bench."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from etl.simulators.grandshooting import vocab
from etl.simulators.grandshooting.statuses import (
    STEP_LABELS,
    BenchAccess,
    BenchStatus,
    BenchStep,
    ExportPictureStatus,
    PictureStatus,
)
from etl.simulators.grandshooting.store import (
    PICTURE_FIELDS,
    PICTURE_KEY,
    REFERENCE_FIELDS,
    REFERENCE_KEY,
    AccountData,
)
from etl.simulators.grandshooting.table import Row, Table

HISTORY_DAYS = 120
DAY = 86_400.0
# The number the API prints as `account_id` on the token's own benches (delegated accounts
# print their own id).
OWN_API_ACCOUNT_ID = 612
# References per production (one shooting day) by shooting method.
_PER_PRODUCTION = {"Packshot": 40, "On-model": 30, "Details": 60}


def iso(moment: datetime) -> str:
    """Dates as the API writes them: ISO 8601, milliseconds, UTC."""
    return moment.isoformat(timespec="milliseconds") + "Z"


class _Weighted:
    """A weighted choice with its cumulative weights computed once (rng.choices redoes it on
    every call, which showed in generation profiles)."""

    def __init__(self, population: Sequence[Any], weights: Sequence[float]) -> None:
        self.population = tuple(population)
        self.cumulative = tuple(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> Any:
        return self.population[bisect.bisect(self.cumulative, rng.random() * self.total)]


# Where a validated copy ends, by how far along its production is.
_ARCHIVED_OUTCOME = _Weighted(
    (PictureStatus.ARCHIVED, PictureStatus.BROADCAST, PictureStatus.VALIDATED), (40, 45, 15)
)
_FINISHED_OUTCOME = _Weighted(
    (
        PictureStatus.BROADCAST,
        PictureStatus.VALIDATED,
        PictureStatus.READY_TO_BROADCAST,
        PictureStatus.BROADCAST_ERROR,
        PictureStatus.FOR_APPROVAL,
        PictureStatus.REFUSED,
    ),
    (40, 30, 5, 3, 10, 12),
)
_ONGOING_OUTCOME = _Weighted(
    (
        PictureStatus.FOR_APPROVAL,
        PictureStatus.REFUSED,
        PictureStatus.VALIDATED,
        PictureStatus.BROADCAST,
    ),
    (45, 15, 30, 10),
)
# The furthest step a selected photo reached, by how far along its production is.
_STEPS_REACHED = (BenchStep.LIVE, BenchStep.PHASE_1, BenchStep.VALIDATION)
_REACH_FINISHED = _Weighted(_STEPS_REACHED, (1, 2, 97))
_REACH_IN_PROGRESS = _Weighted(_STEPS_REACHED, (8, 22, 70))
_REACH_ACTIVE = _Weighted(_STEPS_REACHED, (40, 35, 25))
# A hero shot that never left the Live bench; the last retouch of one that stopped there.
# (Repeated entries weight a uniform rng.choice.)
_LIVE_ONLY_HERO_STATUS = (
    PictureStatus.NOT_SELECTED,
    PictureStatus.NOT_SELECTED,
    PictureStatus.SELECTED,
    PictureStatus.RESHOOT,
)
_LAST_RETOUCH_STATUS = (
    PictureStatus.SELECTED,
    PictureStatus.SELECTED,
    PictureStatus.REFUSED_BY_RETOUCHER,
)
_EXTRA_TAKE_STATUS = _Weighted(
    (PictureStatus.NOT_SELECTED, PictureStatus.RESHOOT, PictureStatus.IGNORED), (85, 8, 7)
)
_LIVE_ICC = _Weighted(("Adobe RGB (1998)", "sRGB IEC61966-2.1", None), (60, 35, 5))


def _hex(rng: random.Random, bits: int) -> str:
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def _uuid(rng: random.Random) -> str:
    h = _hex(rng, 128)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _ean(counter: int) -> str:
    body = f"360{counter:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@dataclass
class _Product:
    """What a reference needs to be shot: its category's views grouped by shooting method."""

    reference: Row
    views: dict[str, list[tuple[int, str, tuple[int, ...]]]]  # method -> [(rang, code, formats)]
    look: list[Row] | None = None
    look_id: int | None = None
    productions: dict[str, int] = field(default_factory=dict)


class _Clock:
    """Seconds relative to the catalog's now, turned into API date strings."""

    def __init__(self, now: datetime) -> None:
        self.now = now.replace(microsecond=0)

    def at(self, seconds_before_now: float) -> str:
        return iso(self.now - timedelta(seconds=int(seconds_before_now)))


def _formats() -> list[Row]:
    return [dict(f) for f in vocab.FORMATS]


def _categories(base: int) -> list[Row]:
    formats = {f["format_id"]: f for f in vocab.FORMATS}
    seen: list[str] = []
    families: dict[str, list[str]] = {}
    for _univers, _gamme, fams, category in vocab.HIERARCHY:
        if category not in seen:
            seen.append(category)
        families.setdefault(category, []).extend(fams)
    categories = []
    for i, name in enumerate(seen, start=1):
        view_types = [
            {
                "smalltext": smalltext,
                "rang": rang,
                "code": code,
                "shootingmethod": method,
                "description": f"{smalltext} ({method.lower()}), product centred",
                "formats": [dict(formats[fid]) for fid in format_ids],
            }
            for rang, (code, smalltext, method, format_ids) in enumerate(
                vocab.VIEW_TYPES[name], start=1
            )
        ]
        categories.append(
            {
                "keywords": [f.upper().replace(" ", "_") for f in families[name]],
                "category_id": base + i,
                "ranking": i,
                "view_types": view_types,
                "smalltext": f"{i * 1000}: {name}",
            }
        )
    return categories


def _model_name(rng: random.Random, used: set[str]) -> str:
    for _ in range(4):
        name = "".join(rng.choice(vocab.SYLLABLES) for _ in range(rng.choice((2, 3)))).upper()
        if name not in used:
            used.add(name)
            return name
    name = f"{name}{len(used)}"
    used.add(name)
    return name


def _references(
    rng: random.Random, count: int, id_base: int, categories: list[Row]
) -> list[tuple[Row, str]]:
    """`count` references (product x colour), in id order, each with its category name."""
    category_ids = {c["smalltext"].split(": ", 1)[1]: c["category_id"] for c in categories}
    collections = ("SS25", "FW25", "SS26", "FW26")
    shotlists = {c: (i, f"{c} e-shop") for i, c in enumerate(collections, start=1)}
    used: set[str] = set()
    rows: list[tuple[Row, str]] = []
    next_id = id_base
    ean_counter = id_base * 10
    while len(rows) < count:
        univers, gamme, fams, category = rng.choice(vocab.HIERARCHY)
        family = rng.choice(fams)
        brand = rng.choice(vocab.BRANDS)
        collection = rng.choices(collections, weights=(1, 2, 4, 6))[0]
        model = _model_name(rng, used)
        product_ref = f"{collection}_{model}"
        noun = vocab.PRODUCT_NOUNS[family]
        gender, gender_text = rng.choices(vocab.GENDERS, weights=(6, 3, 2, 1))[0]
        sizes = vocab.SIZES[univers]
        for color, hexa in rng.sample(vocab.COLORS, rng.choice((1, 1, 2, 2, 3, 4))):
            if len(rows) >= count:
                break
            next_id += 1 + (rng.randint(1, 5) if rng.random() < 0.08 else 0)
            ref = f"{product_ref}_{color}"
            eans: list[str] = []
            extended: list[Row] = []
            for size in rng.sample(sizes, min(len(sizes), rng.randint(1, 4))):
                ean_counter += 1
                eans.append(_ean(ean_counter))
                extended.append(
                    {
                        "ean": eans[-1],
                        "smalltext": f"{eans[-1]} {size}",
                        "star": len(extended) == 0,
                        "extra": {"size": size, "sku": f"{model}{color[:3]}{size}"},
                    }
                )
            row: Row = {
                "reference_id": next_id,
                "ref": ref,
                "ean": eans[0],
                "eans": eans[1:],
                "eans_extended": extended,
                "univers": univers,
                "gamme": gamme,
                "family": family,
                "sku": f"{brand[:3].replace(' ', '')}{model}{color[:3]}",
                "brand": brand,
                "smalltext": f"{color.capitalize()} {noun} {model.capitalize()}",
                "category_id": category_ids[category],
                "product_ref": product_ref,
                "product_smalltext": f"{noun.capitalize()} {model.capitalize()}",
                "gender": gender,
                "gender_smalltext": gender_text,
                "color": color,
                "hexa_color": hexa,
                "size": rng.choice(sizes),
                "collection": collection,
                "tags": rng.sample(vocab.TAGS, rng.choice((0, 0, 1, 1, 2, 3))),
                "extra": {},
            }
            if rng.random() < 0.08:
                # Not yet classified: no guideline applies to it.
                del row["category_id"]
            if rng.random() < 0.15:
                row["comment"] = rng.choice(
                    ("Closeup on zip", "Steam before shoot", "Show the lining", "Sample late")
                )
            if rng.random() < 0.85:
                row["extra"] = {
                    "composition": rng.sample(vocab.COMPOSITIONS, rng.randint(1, 2)),
                    "supplier": rng.choice(vocab.SUPPLIERS),
                    "price": round(rng.uniform(15, 900), 2),
                }
            if rng.random() < 0.9:
                shotlist_id, shotlist = shotlists[collection]
                row["shotlist_id"] = shotlist_id
                row["shotlist"] = shotlist
            rows.append((row, category))
    return rows


def _views_for(category: Row | None) -> dict[str, list[tuple[int, str, tuple[int, ...]]]]:
    views: dict[str, list[tuple[int, str, tuple[int, ...]]]] = {}
    if category is None:
        for rang, (code, method, format_ids) in enumerate(vocab.DEFAULT_VIEWS, start=1):
            views.setdefault(method, []).append((rang, code, format_ids))
        return views
    for view in category["view_types"]:
        format_ids = tuple(f["format_id"] for f in view["formats"])
        views.setdefault(view["shootingmethod"], []).append(
            (view["rang"], view["code"], format_ids)
        )
    return views


def _looks(
    rng: random.Random,
    products: list[_Product],
    look_base: int,
    folders: list[Row],
) -> tuple[list[Row], dict[int, list[Row]]]:
    # A share of the on-model products are styled in looks (each look is one more request to
    # sync its references, so a demo at 5 requests/s stays quick).
    eligible = [p for p in products if "On-model" in p.views and rng.random() < 0.15]
    looks: list[Row] = []
    members: dict[int, list[Row]] = {}
    look_reference_id = look_base * 10
    i = 0
    while i < len(eligible) - 1:
        size = min(rng.randint(2, 5), len(eligible) - i)
        group = eligible[i : i + size]
        i += size
        look_id = look_base + len(looks) + 1
        refs = [p.reference for p in group]
        look: Row = {
            "name": f"Look {len(looks) + 1:03d} {refs[0]['collection']}",
            "description": " + ".join(r["product_smalltext"] for r in refs),
            "look_id": look_id,
            "folder_id": rng.choice(folders)["folder_id"],
            "status": "COMPLETED" if rng.random() < 0.8 else "DRAFT",
        }
        if rng.random() < 0.7:
            look["thumbnail"] = f"https://cdn.simulator.grand-shooting.com/looks/{look_id}.jpg"
        looks.append(look)
        members[look_id] = []
        for position, ref in enumerate(refs):
            look_reference_id += 1
            members[look_id].append(
                {
                    "ref": ref["ref"],
                    "reference_id": ref["reference_id"],
                    "look_reference_id": look_reference_id,
                    "main": position == 0,
                }
            )
        for product in group:
            product.look = members[look_id]
            product.look_id = look_id
    return looks, members


@dataclass
class _Production:
    method: str
    start: float  # seconds before now
    stage: int  # benchstatus of its benches
    archived: bool
    export: str
    benches: list[Row]
    products: list[_Product] = field(default_factory=list)


def _bench_status(age_days: float) -> tuple[int, bool]:
    if age_days > 80:
        return BenchStatus.ARCHIVED, True
    if age_days > 25:
        return BenchStatus.FINISHED, False
    if age_days > 6:
        return BenchStatus.IN_PROGRESS, False
    return BenchStatus.ACTIVE, False


def _productions(
    rng: random.Random,
    clock: _Clock,
    products: list[_Product],
    bench_base: int,
    api_account_id: int,
) -> list[_Production]:
    by_method: dict[str, list[_Product]] = {}
    for product in products:
        for method in product.views:
            by_method.setdefault(method, []).append(product)
    plans: list[_Production] = []
    for method, shot in by_method.items():
        size = _PER_PRODUCTION.get(method, 40)
        count = max(1, round(len(shot) / size))
        starts = sorted((rng.uniform(1.2, HISTORY_DAYS) * DAY for _ in range(count)), reverse=True)
        for k, start in enumerate(starts):
            status, archived = _bench_status(start / DAY)
            production = _Production(
                method=method,
                start=start,
                stage=status,
                archived=archived,
                export=rng.choices(vocab.EXPORTS, weights=(6, 3, 1))[0],
                benches=[],
            )
            lo, hi = k * len(shot) // count, (k + 1) * len(shot) // count
            production.products = shot[lo:hi]
            plans.append(production)
    plans.sort(key=lambda p: -p.start)
    methods_by_name = {name: mid for mid, name in vocab.SHOOTING_METHODS}
    bench_id = bench_base
    for day, production in enumerate(plans, start=1):
        for product in production.products:
            product.productions[production.method] = day - 1
        collection = (
            production.products[0].reference["collection"] if production.products else "FW26"
        )
        name = f"{collection} DAY{day} {production.method.lower()}"
        second_phase = [BenchStep.PHASE_2] if rng.random() < 0.3 else []
        steps = [BenchStep.LIVE, BenchStep.PHASE_1, *second_phase, BenchStep.VALIDATION]
        start_at = clock.now - timedelta(seconds=int(production.start))
        start_at = start_at.replace(hour=7, minute=0, second=0)
        # Shots are timed from the production's 7:00 start.
        production.start = (clock.now - start_at).total_seconds()
        info = {
            "Photograph": rng.choice(vocab.PHOTOGRAPHERS),
            "Stylist": rng.choice(vocab.STYLISTS),
        }
        if production.method == "On-model":
            info["Model"] = rng.choice(vocab.MODELS)
        root_id = bench_id + 1
        parent: int | None = None
        location = rng.choice(vocab.STUDIOS)
        for step in steps:
            bench_id += 1
            label = STEP_LABELS[step]
            bench: Row = {"account_id": api_account_id, "bench_id": bench_id}
            if parent is not None:
                bench["parent_id"] = parent
            bench.update(
                {
                    "root_id": root_id,
                    "ext_lib_id": _uuid(rng),
                    "smalltext": name if step == BenchStep.LIVE else f"{name} ({label})",
                    "startdate": iso(start_at),
                }
            )
            if production.stage >= BenchStatus.FINISHED:
                bench["enddate"] = iso(start_at + timedelta(hours=9))
            bench.update(
                {
                    "timezone": "Europe/Paris",
                    "tzoffset": 60,
                    "shooting_method_id": methods_by_name[production.method],
                    "location": dict(location),
                    "benchsteptype": step,
                    "benchaccess": (
                        BenchAccess.VALIDATION
                        if step == BenchStep.VALIDATION
                        else BenchAccess.PRODUCTION
                    ),
                    "benchstatus": production.stage,
                    "info": dict(info),
                    "info_model": [
                        {"key": key, "label": key, "type": "text"} for key in sorted(info)
                    ],
                    "step_label": label,
                    "archived": production.archived,
                }
            )
            if step == BenchStep.VALIDATION:
                bench["meta_export_info"] = production.export
            production.benches.append(bench)
            parent = bench_id
    return plans


class _PictureFactory:
    """Builds picture rows; ids, parents and children are set once every row exists."""

    def __init__(self, rng: random.Random, clock: _Clock, formats: dict[int, Row]) -> None:
        self.rng = rng
        self.clock = clock
        self.formats = formats
        self.rows: list[Row] = []
        self.parents: list[int] = []  # index of the parent row, -1 for none
        self.live_hashes: list[tuple[str, int]] = []

    def picture(
        self,
        *,
        bench: Row,
        method: str,
        product: _Product | None,
        ref_text: str,
        code: str | None,
        created: float,
        status: int,
        parent: int,
        file_name: str,
        folder: str,
        width: int,
        height: int,
        filesize: int,
        icc: str | None,
    ) -> int:
        rng = self.rng
        file_id = _hex(rng, 128)
        row: Row = {
            "picture_id": 0,
            "bench_id": bench["bench_id"],
            "bench_root_id": bench["root_id"],
            "benchsteptype": bench["benchsteptype"],
            "benchstatus": bench["benchstatus"],
            "ref": ref_text,
        }
        if product is not None:
            row["reference_ref"] = product.reference["ref"]
        file_path = f"{folder}/{file_name}" if folder else file_name
        row.update(
            {
                "path": f"{bench['ext_lib_id']}/{file_path}",
                "file_path": file_path,
                "smalltext": file_name,
                "picturestatus": status,
                "filesize": filesize,
                "width": width,
                "height": height,
            }
        )
        if product is not None:
            reference = product.reference
            row["reference_id"] = reference["reference_id"]
            if product.look is not None and method == "On-model":
                row["reference_ids"] = [m["reference_id"] for m in product.look]
                row["refs"] = [m["ref"] for m in product.look]
                row["looks"] = [
                    {
                        "reference_id": m["reference_id"],
                        "ref": m["ref"],
                        "useforref": m["reference_id"] == reference["reference_id"],
                        "main": m["main"],
                    }
                    for m in product.look
                ]
            else:
                row["reference_ids"] = [reference["reference_id"]]
                row["refs"] = [reference["ref"]]
        else:
            row["reference_ids"] = []
            row["refs"] = []
        if parent >= 0:
            row["parent_id"] = 0
        row["child_ids"] = []
        if icc is not None:
            row["icc_profile"] = icc
        row["thumbnail"] = (
            f"https://cdn.simulator.grand-shooting.com/{file_id[:2]}/{file_id[2:4]}/{file_id}.jpg"
        )
        row["hash"] = _hex(rng, 160)
        row["file_id"] = file_id
        if code is not None:
            row["view_type_code"] = code
        created_at = self.clock.at(created)
        if bench["benchsteptype"] == BenchStep.LIVE:
            row["transfer_date"] = created_at
        row["date_cre"] = created_at
        row["date_mod"] = row["date_cre"]
        row["shootingmethod"] = method
        if product is not None and product.look_id is not None and method == "On-model":
            row["look_id"] = product.look_id
        row["alerts"] = []
        self.rows.append(row)
        self.parents.append(parent)
        return len(self.rows) - 1


def _validation_outcome(rng: random.Random, production: _Production) -> int:
    if production.archived:
        return int(_ARCHIVED_OUTCOME.pick(rng))
    if production.stage == BenchStatus.FINISHED:
        return int(_FINISHED_OUTCOME.pick(rng))
    return int(_ONGOING_OUTCOME.pick(rng))


def _reach(rng: random.Random, production: _Production) -> int:
    """Furthest workflow step (Live, phase 1 or validation) a selected photo of this
    production reached."""
    if production.stage >= BenchStatus.FINISHED:
        return int(_REACH_FINISHED.pick(rng))
    if production.stage == BenchStatus.IN_PROGRESS:
        return int(_REACH_IN_PROGRESS.pick(rng))
    return int(_REACH_ACTIVE.pick(rng))


def _shoot(
    factory: _PictureFactory,
    production: _Production,
    formats: dict[int, Row],
) -> None:
    rng = factory.rng
    benches = production.benches
    live, retouch, validation = benches[0], benches[1:-1], benches[-1]
    method = production.method
    for product in production.products:
        reference = product.reference
        ref = reference["ref"]
        for rang, code, format_ids in product.views[method]:
            if rng.random() < 0.06:
                continue  # a view the studio has not shot: shows as missing in coverage
            shot_at = max(production.start - rng.uniform(0, 9 * 3600), 900.0)
            takes = 1 + (1 if rng.random() < 0.25 else 0) + (1 if rng.random() < 0.05 else 0)
            portrait = rng.random() < 0.7
            for take in range(takes):
                hero = take == 0
                taken = shot_at - take * rng.uniform(20, 300)
                out_of_catalog = not hero and rng.random() < 0.03
                name = f"{ref}_{rang}.jpg" if hero else f"{ref}_{rang}-{take}.jpg"
                if out_of_catalog:
                    name = f"IMG_{rng.randint(1000, 9999)}.jpg"
                reach = _reach(rng, production) if hero else BenchStep.LIVE
                live_status: int
                if hero:
                    live_status = (
                        PictureStatus.SELECTED
                        if reach > BenchStep.LIVE
                        else rng.choice(_LIVE_ONLY_HERO_STATUS)
                    )
                else:
                    live_status = int(_EXTRA_TAKE_STATUS.pick(rng))
                index = factory.picture(
                    bench=live,
                    method=method,
                    product=None if out_of_catalog else product,
                    ref_text=name.rsplit(".", 1)[0] if out_of_catalog else ref,
                    code=None if out_of_catalog else code,
                    created=taken,
                    status=live_status,
                    parent=-1,
                    file_name=name,
                    folder="",
                    width=4000 if portrait else 6000,
                    height=6000 if portrait else 4000,
                    filesize=rng.randint(9_000_000, 32_000_000),
                    icc=_LIVE_ICC.pick(rng),
                )
                row = factory.rows[index]
                if out_of_catalog:
                    row["alerts"] = ["out_of_catalog"]
                elif hero and factory.live_hashes and rng.random() < 0.004:
                    # The same file linked to two references: a duplicate hash.
                    row["hash"] = rng.choice(factory.live_hashes)[0]
                if hero:
                    factory.live_hashes.append((row["hash"], index))
                if rng.random() < 0.25:
                    row["taginfo"] = {
                        "rating": rng.randint(0, 5),
                        "label": rng.choice(("green", "yellow", "red", "blue", "purple")),
                        "tags": {"background": "white", "category": reference["family"]},
                    }
                if not hero or reach == BenchStep.LIVE:
                    continue
                parent, created = index, taken
                stuck = False
                for step_bench in retouch:
                    created -= rng.uniform(0.5, 4) * DAY
                    if created < 600:
                        stuck = True
                        break
                    last_retouch = step_bench is retouch[-1]
                    status = (
                        PictureStatus.SELECTED
                        if (reach == BenchStep.VALIDATION or not last_retouch)
                        else rng.choice(_LAST_RETOUCH_STATUS)
                    )
                    parent = factory.picture(
                        bench=step_bench,
                        method=method,
                        product=product,
                        ref_text=ref,
                        code=code,
                        created=created,
                        status=status,
                        parent=parent,
                        file_name=f"{ref}_{rang}.tif",
                        folder="TIFF",
                        width=4000,
                        height=5000,
                        filesize=rng.randint(40_000_000, 90_000_000),
                        icc="Adobe RGB (1998)",
                    )
                if stuck or reach == BenchStep.PHASE_1:
                    continue
                created -= rng.uniform(0.3, 3) * DAY
                if created < 600:
                    continue
                _validated_copy(
                    factory, production, validation, product, code, rang, format_ids,
                    created, parent, formats,
                )  # fmt: skip


def _validated_copy(
    factory: _PictureFactory,
    production: _Production,
    bench: Row,
    product: _Product,
    code: str,
    rang: int,
    format_ids: Sequence[int],
    created: float,
    parent: int,
    formats: dict[int, Row],
) -> None:
    rng = factory.rng
    fmt = formats[format_ids[0]]
    ext = str(fmt["file_format"]).lower()
    width, height = fmt["width"], fmt["height"]
    icc: str | None = fmt["icc_profile"]
    max_bytes = int(fmt["max_file_size"]) * 1024
    filesize = int(max_bytes * rng.uniform(0.35, 0.95))
    alerts: list[str] = []
    if rng.random() < 0.06:
        defect = rng.choice(("dimensions", "icc", "filesize", "format"))
        if defect == "dimensions":
            width = int(width * rng.uniform(0.5, 0.95))
            height = int(height * rng.uniform(0.5, 0.95))
        elif defect == "icc":
            if rng.random() < 0.5:
                icc = None
                alerts.append("missing_icc_profile")
            else:
                icc = "Adobe RGB (1998)" if icc != "Adobe RGB (1998)" else "sRGB IEC61966-2.1"
        elif defect == "filesize":
            filesize = int(max_bytes * rng.uniform(1.1, 2.5))
        else:
            ext = {"jpg": "png", "png": "jpg", "tif": "jpg"}.get(ext, "jpg")
        if defect != "icc" and rng.random() < 0.5:
            alerts.append("format_compliancy")
    ref = product.reference["ref"]
    status = _validation_outcome(rng, production)
    index = factory.picture(
        bench=bench,
        method=production.method,
        product=product,
        ref_text=ref,
        code=code,
        created=created,
        status=status,
        parent=parent,
        file_name=f"{ref}-{rang}.{ext}",
        folder=production.export,
        width=width,
        height=height,
        filesize=filesize,
        icc=icc,
    )
    row = factory.rows[index]
    row["alerts"] = alerts
    if status >= PictureStatus.VALIDATED:
        validated = max(created - rng.uniform(0.05, 3) * DAY, 60)
        row["validation_date"] = factory.clock.at(validated)
    if rng.random() < 0.02:
        row["frame"] = {"x1": 120, "y1": 80, "x2": width - 120, "y2": height - 80}
    row["export"] = production.export
    row["exportpicturestatus"] = (
        ExportPictureStatus.EXPORTED
        if status >= PictureStatus.VALIDATED
        else ExportPictureStatus.PENDING
    )


def _finish_pictures(factory: _PictureFactory, id_base: int) -> list[Row]:
    """Ids in creation order (with gaps), parent/child links, and modification dates."""
    rng = factory.rng
    rows, parents = factory.rows, factory.parents
    children: list[list[int]] = [[] for _ in rows]
    for index, parent in enumerate(parents):
        if parent >= 0:
            children[parent].append(index)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["date_cre"], i))
    ids = [0] * len(rows)
    next_id = id_base
    for index in order:
        next_id += 1 + (rng.randint(1, 20) if rng.random() < 0.02 else 0)
        ids[index] = next_id
    now_text = factory.clock.at(0)
    for index, row in enumerate(rows):
        row["picture_id"] = ids[index]
        if parents[index] >= 0:
            row["parent_id"] = ids[parents[index]]
        kids = children[index]
        row["child_ids"] = [ids[k] for k in kids]
        if kids:
            # The status changed when the photo was sent on: modified when its child was made.
            modified = rows[kids[0]]["date_cre"]
        elif "validation_date" in row:
            modified = row["validation_date"]
        else:
            modified = row["date_cre"]
        if rng.random() < 0.04:
            # Touched again recently (tags, comments, re-broadcast).
            recent = factory.clock.at(rng.uniform(0, 20) * DAY)
            modified = max(modified, recent)
        row["date_mod"] = min(max(modified, row["date_cre"]), now_text)
        if rng.random() < 0.03 and not row["alerts"]:
            row["alerts"] = [rng.choice(vocab.RANDOM_ALERTS)]
    return rows


def _date_references(
    rng: random.Random, clock: _Clock, products: list[_Product], plans: list[_Production]
) -> None:
    for product in products:
        reference = product.reference
        starts = [plans[i].start for i in product.productions.values()]
        first_shot = max(starts) if starts else rng.uniform(0, 5) * DAY
        created = first_shot + rng.uniform(3, 45) * DAY
        reference["date_cre"] = clock.at(created)
        modified = rng.uniform(0, created)
        if rng.random() < 0.6:
            modified = created - rng.uniform(0, 2) * DAY
        reference["date_mod"] = clock.at(max(modified, 0))
        if rng.random() < 0.4:
            online = clock.now + timedelta(days=rng.randint(-90, 60))
            reference["online"] = (
                online.strftime("%d/%m/%Y") if rng.random() < 0.6 else online.strftime("%Y-%m-%d")
            )


def _order_reference(row: Row) -> Row:
    """Keys in the order of the spec's Reference object."""
    order = list(REFERENCE_FIELDS)
    return {k: row[k] for k in sorted(row, key=order.index)}


def generate_account(
    *,
    references: int,
    seed: int,
    account_id: int,
    index: int,
    now: datetime,
    guidelines: bool = True,
) -> AccountData:
    """One account's data, fully determined by its arguments. Without `guidelines` (accounts
    on API 3.0) there is no `/specification/category` and references carry no `category_id`;
    pictures are still shot against the same view types."""
    rng = random.Random(f"grandshooting:{seed}:{account_id}")
    clock = _Clock(now)
    base = index * 10_000_000
    formats = _formats()
    format_by_id = {f["format_id"]: f for f in formats}
    categories = _categories(base // 1000 + 10)
    category_by_id = {c["category_id"]: c for c in categories}
    generated = _references(rng, references, base, categories)
    products: list[_Product] = []
    unshot: list[_Product] = []
    newest = max(1, int(references * 0.04))
    for position, (row, _category) in enumerate(generated):
        category = category_by_id.get(row.get("category_id", -1))
        product = _Product(reference=row, views=_views_for(category))
        if position >= len(generated) - newest or rng.random() < 0.03:
            unshot.append(product)  # created too recently, or dropped from the shotlist
        else:
            products.append(product)
    folders = [
        {"name": f"Looks {season}", "folder_id": base // 1000 + i}
        for i, season in enumerate(("SS25", "FW25", "SS26", "FW26"), start=1)
    ]
    looks, members = _looks(rng, products, base // 100, folders)
    api_account_id = OWN_API_ACCOUNT_ID if account_id == 0 else account_id
    plans = _productions(rng, clock, products, base, api_account_id)
    factory = _PictureFactory(rng, clock, format_by_id)
    for production in plans:
        _shoot(factory, production, format_by_id)
    pictures = _finish_pictures(factory, base)
    _date_references(rng, clock, products + unshot, plans)
    reference_rows = [_order_reference(row) for row, _ in generated]
    if not guidelines:
        for row in reference_rows:
            row.pop("category_id", None)
    return AccountData(
        account_id=account_id,
        api_account_id=api_account_id,
        shooting_methods=[
            {"shooting_method_id": mid, "shootingmethod": name}
            for mid, name in vocab.SHOOTING_METHODS
        ],
        productions=[p.benches for p in plans],
        formats=formats,
        categories=categories if guidelines else [],
        guidelines=guidelines,
        folders=folders,
        looks=looks,
        look_references=members,
        references=Table(REFERENCE_KEY, REFERENCE_FIELDS, reference_rows),
        pictures=Table(PICTURE_KEY, PICTURE_FIELDS, pictures),
        rng=random.Random(f"grandshooting-mutations:{seed}:{account_id}"),
    )
