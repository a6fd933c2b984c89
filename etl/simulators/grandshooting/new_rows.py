"""New rows the mutation API and the simulated days add: Live pictures and references."""

from __future__ import annotations

import random

from etl.simulators.grandshooting import vocab
from etl.simulators.grandshooting.statuses import PictureStatus
from etl.simulators.grandshooting.store import AccountData
from etl.simulators.grandshooting.table import Row


def latest_live_bench(data: AccountData) -> Row:
    """The Live bench of the latest production still open (of the latest one if none is)."""
    active = [p for p in data.productions if p and not p[0].get("archived")]
    return (active or data.productions)[-1][0]


def new_picture(
    data: AccountData,
    picture_id: int,
    stamp: str,
    rng: random.Random,
    *,
    reference: Row | None = None,
    view_code: str = "FRONT",
    status: int = PictureStatus.NOT_SELECTED,
) -> Row:
    """A new Live picture on the latest open production, of `reference` (a random one of the
    account's if None; a file without reference if the account has none)."""
    bench = latest_live_bench(data)
    methods = {m["shooting_method_id"]: m["shootingmethod"] for m in data.shooting_methods}
    if reference is None and len(data.references):
        reference = data.references.rows[rng.randrange(len(data.references))]
    ref = reference["ref"] if reference else f"IMG_{picture_id}"
    take = rng.randint(1, 9)
    file_id = f"{rng.getrandbits(128):032x}"
    row: Row = {
        "picture_id": picture_id,
        "bench_id": bench["bench_id"],
        "bench_root_id": bench["root_id"],
        "benchsteptype": bench["benchsteptype"],
        "benchstatus": bench["benchstatus"],
        "ref": ref,
    }
    if reference:
        row["reference_ref"] = reference["ref"]
    file_name = f"{ref}_{take}-{picture_id}.jpg"
    row.update(
        {
            "path": f"{bench['ext_lib_id']}/{file_name}",
            "file_path": file_name,
            "smalltext": file_name,
            "picturestatus": status,
            "filesize": rng.randint(9_000_000, 32_000_000),
            "width": 4000,
            "height": 6000,
        }
    )
    if reference:
        row["reference_id"] = reference["reference_id"]
    row.update(
        {
            "reference_ids": [reference["reference_id"]] if reference else [],
            "refs": [reference["ref"]] if reference else [],
            "child_ids": [],
            "icc_profile": "Adobe RGB (1998)",
            "thumbnail": f"https://cdn.simulator.grand-shooting.com/{file_id[:2]}/{file_id}.jpg",
            "hash": f"{rng.getrandbits(160):040x}",
            "file_id": file_id,
            "view_type_code": view_code,
            "transfer_date": stamp,
            "date_cre": stamp,
            "date_mod": stamp,
            "shootingmethod": methods.get(bench.get("shooting_method_id", 0), "Packshot"),
            "alerts": [] if reference else ["out_of_catalog"],
        }
    )
    return row


def new_reference(data: AccountData, reference_id: int, stamp: str, rng: random.Random) -> Row:
    """A new reference (no pictures yet) in a random category of the account's guidelines."""
    color, hexa = rng.choice(vocab.COLORS)
    univers, gamme, families, _category = rng.choice(vocab.HIERARCHY)
    family = rng.choice(families)
    product_ref = f"NEW_{reference_id}"
    category_ids = [c["category_id"] for c in data.categories]
    row: Row = {
        "reference_id": reference_id,
        "ref": f"{product_ref}_{color}",
        "ean": f"{2000000000000 + reference_id}",
        "eans": [],
        "eans_extended": [],
        "univers": univers,
        "gamme": gamme,
        "family": family,
        "sku": f"SKU{reference_id}",
        "brand": rng.choice(vocab.BRANDS),
        "smalltext": f"{color.capitalize()} {vocab.PRODUCT_NOUNS[family]}",
        "category_id": rng.choice(category_ids) if category_ids else None,
        "product_ref": product_ref,
        "product_smalltext": vocab.PRODUCT_NOUNS[family].capitalize(),
        "gender": "U",
        "gender_smalltext": "Unisex",
        "color": color,
        "hexa_color": hexa,
        "size": "TU",
        "collection": "SS27",
        "tags": ["new"],
        "extra": {},
        "date_cre": stamp,
        "date_mod": stamp,
    }
    if row["category_id"] is None:
        del row["category_id"]  # an account without guidelines (API 3.0) has no categories
    return row
