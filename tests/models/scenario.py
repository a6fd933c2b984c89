"""A small hand-built Grand Shooting account whose marts were computed by hand (see test_marts).

Productions: P1 "SS25 Packshot" (method Packshot): benches 100 live -> 101 phase 2 -> 102
export/validation; P2 "SS25 Model" (method On model): benches 200 live -> 202 validation.

References (id, ref): 1 BAG-1 (category 11, synced), 2 BAG-2, 3 SHOE-1, 4 SCARF-1,
5 LOOK-TOP, 6 LOOK-PANT (both in look 70), 7 BAG-3 (category 99, not synced).
"""

from __future__ import annotations

from typing import Any

GUIDELINES = """
# Competing guidelines, in file order.
[[guideline]]
name = "Accessories"
gamme = "Accessories"
expected_images = 3
required_views = ["FRONT", "BACK"]

[[guideline]]
name = "Handbags"
family = "Handbags"
expected_images = 3
required_views = ["FRONT", "BACK", "SIDE"]
[guideline.spec]
file_format = "JPG"
width = 2000
height = 2000
icc_profile = "sRGB IEC61966-2.1"
max_file_size_kb = 500

[[guideline]]
name = "Handbags again"
family = "Handbags"
expected_images = 9

[[guideline]]
name = "Shoes on model"
gamme = "Shoes"
shooting_method = "On model"
expected_images = 4
required_views = ["FRONT", "WORN"]

[[guideline]]
name = "Shoes packshot"
gamme = "Shoes"
shooting_method = "Packshot"
expected_images = 6

[[guideline]]
name = "ACME"
brand = "ACME"
expected_images = 1
"""

_PNG_1000 = {
    "format_id": 1,
    "smalltext": "Web",
    "file_format": "PNG",
    "width": 1000,
    "height": 1000,
    "icc_profile": "sRGB IEC61966-2.1",
    "max_file_size": 1000,
}

CATEGORIES = [
    {
        "category_id": 11,
        "smalltext": "Bags API",
        "ranking": 1,
        "view_types": [
            {
                "code": "1",
                "rang": 1,
                "smalltext": "front",
                "shootingmethod": "Packshot",
                "formats": [_PNG_1000],
            },
            {
                "code": "2",
                "rang": 2,
                "smalltext": "back",
                "shootingmethod": "Packshot",
                "formats": [_PNG_1000],
            },
            {
                "code": "3",
                "rang": 3,
                "smalltext": "worn",
                "shootingmethod": "On model",
                "formats": [],
            },
        ],
    }
]

SHOOTING_METHODS = [
    {"shooting_method_id": 1, "shootingmethod": "Packshot"},
    {"shooting_method_id": 2, "shootingmethod": "On model"},
]

BENCHES = [
    {
        "bench_id": 100,
        "root_id": 100,
        "smalltext": "SS25 Packshot",
        "benchsteptype": 10,
        "shooting_method_id": 1,
    },
    {
        "bench_id": 101,
        "root_id": 100,
        "parent_id": 100,
        "smalltext": "SS25 Packshot (retouch)",
        "benchsteptype": 30,
        "shooting_method_id": 1,
    },
    {
        "bench_id": 102,
        "root_id": 100,
        "parent_id": 101,
        "smalltext": "SS25 Packshot (valid)",
        "benchsteptype": 40,
        "shooting_method_id": 1,
    },
    {
        "bench_id": 200,
        "root_id": 200,
        "smalltext": "SS25 Model",
        "benchsteptype": 10,
        "shooting_method_id": 2,
    },
    {
        "bench_id": 202,
        "root_id": 200,
        "parent_id": 200,
        "smalltext": "SS25 Model (valid)",
        "benchsteptype": 40,
        "shooting_method_id": 2,
    },
]


def _ref(rid: int, ref: str, **kw: Any) -> dict[str, Any]:
    return {
        "reference_id": rid,
        "ref": ref,
        "smalltext": f"{ref} label",
        "collection": "SS25",
        "univers": "RTW",
        **kw,
    }


REFERENCES = [
    _ref(1, "BAG-1", gamme="Accessories", family="Handbags", brand="ACME", category_id=11),
    _ref(2, "BAG-2", gamme="Accessories", family="Handbags", brand="ACME"),
    _ref(3, "SHOE-1", gamme="Shoes", brand="OTHER"),
    _ref(4, "SCARF-1", gamme="Scarves", brand="OTHER"),
    _ref(5, "LOOK-TOP", gamme="Tops", brand="ACME"),
    _ref(6, "LOOK-PANT", gamme="Pants", brand="ACME"),
    _ref(7, "BAG-3", gamme="Accessories", family="Handbags", brand="ACME", category_id=99),
]

LOOKS = [{"look_id": 70, "name": "Look 70"}]
LOOK_REFERENCES = [
    {"look_id": 70, "look_reference_id": 1, "reference_id": 5, "ref": "LOOK-TOP"},
    {"look_id": 70, "look_reference_id": 2, "reference_id": 6, "ref": "LOOK-PANT"},
]


def _pic(pid: int, bench: int, step: int, status: int, **kw: Any) -> dict[str, Any]:
    root = 100 if bench < 200 else 200
    return {
        "picture_id": pid,
        "bench_id": bench,
        "bench_root_id": root,
        "benchsteptype": step,
        "picturestatus": status,
        "smalltext": f"p{pid}.jpg",
        **kw,
    }


PICTURES = [
    # BAG-1: a chain across three benches; only p1003 (no child) counts. Compliant PNG.
    _pic(1001, 100, 10, 30, reference_id="1", child_ids=[1002]),
    _pic(1002, 101, 30, 30, reference_id="1", parent_id=1001, child_ids=[1003]),
    _pic(
        1003,
        102,
        40,
        50,
        reference_id="1",
        parent_id=1002,
        child_ids=[],
        view_type_code="1",
        smalltext="bag1_front.png",
        width=1000,
        height=1000,
        icc_profile="sRGB IEC61966-2.1",
        filesize=512_000,
        hash="H1",
        shootingmethod="Packshot",
    ),
    # BAG-1: broadcast error (52) at validation, failing every technical check.
    _pic(1011, 100, 10, 30, reference_id="1", child_ids=[1012]),
    _pic(
        1012,
        102,
        40,
        52,
        reference_id="1",
        parent_id=1011,
        view_type_code="2",
        smalltext="bag1_back.jpg",
        width=1200,
        height=1000,
        icc_profile="Adobe RGB (1998)",
        filesize=2_000_000,
    ),
    # BAG-1: an alternate left at live (captured), and an archived one (excluded).
    _pic(1021, 100, 10, 10, reference_id="1", view_type_code="1"),
    _pic(1031, 102, 40, 80, reference_id="1", view_type_code="1"),
    # BAG-2: published front (compliant JPG, an alert reported by the API itself).
    _pic(2001, 100, 10, 30, reference_id="2", child_ids=[2002]),
    _pic(
        2002,
        102,
        40,
        55,
        reference_id="2",
        parent_id=2001,
        view_type_code="FRONT",
        smalltext="bag2_front.JPEG",
        width=2000,
        height=2000,
        icc_profile="sRGB IEC61966-2.1",
        filesize=409_600,
        alerts=["out_of_shotlist"],
    ),
    # BAG-2: refused at retouching (wrong size, but phase 2 is not spec-checked), a reshoot,
    # an ignored one, a trashed one and one deleted by a full refresh.
    _pic(2011, 101, 30, 31, reference_id="2", view_type_code="BACK", width=3000, height=3000),
    _pic(2021, 100, 10, 5, reference_id="2", view_type_code="SIDE"),
    _pic(2031, 100, 10, 1, reference_id="2"),
    _pic(
        2041,
        102,
        40,
        50,
        reference_id="2",
        view_type_code="BACK",
        smalltext="__TRASH_bag2_back.jpg",
    ),
    _pic(
        2051,
        102,
        40,
        50,
        reference_id="2",
        view_type_code="SIDE",
        _deleted_at="2025-01-02 00:00:00",
    ),
    # SHOE-1: shot on model (method from the bench); one for approval linked through
    # reference_ids only, one captured linked through reference_ref.
    _pic(3001, 202, 40, 40, reference_ids=[3], view_type_code="WORN"),
    _pic(3002, 200, 10, 10, reference_ref="SHOE-1", view_type_code="FRONT"),
    # SCARF-1 (no guideline): validated, same content as p1003.
    _pic(4001, 102, 40, 50, reference_id="4", view_type_code="FRONT", hash="H1"),
    # Look 70: counts for LOOK-TOP and LOOK-PANT.
    _pic(5001, 202, 40, 50, look_id=70, view_type_code="WORN"),
    # Linked to a reference that is not in the catalog.
    _pic(9001, 102, 40, 50, reference_id="999999"),
]


def raw_tables() -> dict[str, list[dict[str, Any]]]:
    return {
        "grandshooting__shooting_methods": SHOOTING_METHODS,
        "grandshooting__benches": BENCHES,
        "grandshooting__specification_categories": CATEGORIES,
        "grandshooting__references": REFERENCES,
        "grandshooting__looks": LOOKS,
        "grandshooting__look_references": LOOK_REFERENCES,
        "grandshooting__pictures": PICTURES,
    }
