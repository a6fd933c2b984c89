"""Key-space splitting, the completeness verdict and the row builder, without any server."""

from __future__ import annotations

import json
from datetime import datetime

from etl.engine.completeness import judge
from etl.engine.keyranges import split_key_space
from etl.engine.rows import RowBuilder
from etl.sources.grandshooting.records import Picture
from etl.sources.grandshooting.source import SOURCE
from etl.warehouse.batches import columns_table
from etl.warehouse.tables import RawTable

NOW = datetime(2026, 11, 22, 8, 0)


def test_split_key_space_covers_every_key_once() -> None:
    spans = split_key_space(100, 10_099, 10_000, rows_per_range=2_000)
    assert [(s["lo"], s["hi"]) for s in spans] == [
        (100, 2100),
        (2100, 4100),
        (4100, 6100),
        (6100, 8100),
        (8100, None),
    ]
    # Every key from 100 to 10,099 (and any newer one) falls in exactly one range.
    for key in (100, 2099, 2100, 10_099, 50_000):
        owners = [s for s in spans if s["lo"] <= key and (s["hi"] is None or key < s["hi"])]
        assert len(owners) == 1


def test_split_key_space_caps_ranges_and_handles_one_key() -> None:
    assert len(split_key_space(1, 10_000_000, 5_000_000, max_ranges=64)) == 64
    assert split_key_space(7, 7, 1) == [{"lo": 7, "hi": None, "next": None}]


def test_judge_complete_when_either_total_matches() -> None:
    assert judge(500, 500, 503).missing == 0 and judge(500, 500, 503).warning is None
    assert judge(503, 500, 503).warning is None


def test_judge_gap_between_totals_is_a_warning_below_both_is_missing() -> None:
    between = judge(501, 500, 503)
    assert between.missing == 0 and "rows changed during the sync" in (between.warning or "")
    above = judge(510, 500, 503)
    assert above.missing == 0 and "more than the 503 announced" in (above.warning or "")
    assert judge(490, 500, 503).missing == 10
    assert judge(490, 500, None).missing == 10


def test_row_builder_types_stamps_quarantines_and_notes_drift() -> None:
    builder = RowBuilder(Picture, ("picture_id",), "account_id", 12, "run-1")
    records = [
        {
            "picture_id": 5,
            "width": 2000,
            "child_ids": [],
            "date_mod": "2026-11-01T10:00:00Z",
            "new_field": {"x": 1},
        },
        {"picture_id": "not-a-number"},
        "garbage",
    ]
    rows, bad = builder.build(records, NOW)
    assert len(rows) == 1
    row = rows[0]
    assert (row["account_id"], row["picture_id"], row["width"]) == (12, 5, 2000)
    assert row["date_mod"] == datetime(2026, 11, 1, 10, 0)
    assert (row["_synced_at"], row["_run_id"], row["_deleted_at"]) == (NOW, "run-1", None)
    assert json.loads(row["_raw"]) == records[0]
    assert builder.drift == {"new_field": {"x": 1}}
    assert [(key, reason.split(":")[0]) for key, reason, _ in bad] == [
        ('["not-a-number"]', "picture_id"),
        ("null", "expected an object, got str"),
    ]


def test_row_builder_inherits_parent_columns() -> None:
    from etl.sources.grandshooting.records import LookReference

    builder = RowBuilder(LookReference, ("look_id", "look_reference_id"), "account_id", 0, "r")
    rows, bad = builder.build([{"look_reference_id": 3, "ref": "A"}], NOW, {"look_id": 9})
    assert bad == []
    assert (rows[0]["look_id"], rows[0]["look_reference_id"]) == (9, 3)


def test_column_batch_becomes_a_typed_table_keeping_the_last_copy_of_a_key() -> None:
    builder = RowBuilder(Picture, ("picture_id",), "account_id", 12, "run-1")
    records = [
        {"picture_id": 1, "width": 10, "refs": ["A", "é"], "date_mod": "2026-11-01T10:00:00+01:00"},
        {"picture_id": 2, "width": 20, "looks": [{"look_id": 4}]},
        {"picture_id": 1, "width": 11, "date_mod": "01/11/2026"},
    ]
    columns, bad = builder.build_columns(records, NOW)
    assert bad == []
    table = columns_table(RawTable(SOURCE, SOURCE.resource("pictures")), columns)
    rows = {row["picture_id"]: row for row in table.to_struct_array().to_pylist()}
    assert list(rows) == [2, 1]  # the later copy of picture 1 wins, in arrival order
    assert (rows[1]["width"], rows[1]["date_mod"], rows[1]["refs"]) == (
        11,
        datetime(2026, 11, 1),
        None,
    )
    assert json.loads(rows[2]["looks"]) == [{"look_id": 4}]
    assert (rows[2]["account_id"], rows[2]["_run_id"], rows[2]["_synced_at"]) == (12, "run-1", NOW)
    first, _ = builder.build_columns(records[:1], NOW)
    assert json.loads(first["refs"][0]) == ["A", "é"]
    assert first["date_mod"] == [datetime(2026, 11, 1, 9, 0)]
