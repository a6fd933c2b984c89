"""The status map seed: users edit a copy beside their config; a bad row names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.models import build
from etl.models.errors import SeedError
from etl.models.seeds import read_status_map
from etl.resources import SHIPPED_STATUS_MAP

from .helpers import load_raw, make_config, query


def test_shipped_map_covers_every_grand_shooting_status() -> None:
    rows = {(r[0], r[1]): (r[3], r[4]) for r in read_status_map(SHIPPED_STATUS_MAP)}
    codes = [1, 5, 10, 30, 31, 35, 40, 50, 51, 52, 55, 80]
    assert [rows[("grandshooting", str(c))] for c in codes] == [
        ("ignored", "excluded"),
        ("reshoot", "in_progress"),
        ("captured", "captured"),
        ("in_progress", "in_progress"),
        ("refused", "in_progress"),
        ("refused", "in_progress"),
        ("for_approval", "in_progress"),
        ("validated", "validated"),
        ("validated", "validated"),
        ("validated", "validated"),
        ("published", "validated"),
        ("archived", "excluded"),
    ]


def test_a_copy_beside_the_config_wins(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    local = tmp_path / "data" / "status_map.csv"
    local.parent.mkdir()
    # This studio counts "for approval" (40) as validated.
    text = SHIPPED_STATUS_MAP.read_text(encoding="utf-8").replace(
        "grandshooting,40,Submitted for approval,for_approval,in_progress,",
        "grandshooting,40,Submitted for approval,for_approval,validated,",
    )
    local.write_text(text, encoding="utf-8")
    load_raw(
        config,
        {
            "grandshooting__references": [{"reference_id": 1, "ref": "A"}],
            "grandshooting__pictures": [
                {"picture_id": 1, "picturestatus": 40, "reference_id": "1"},
                {"picture_id": 2, "picturestatus": 50, "reference_id": "1"},
            ],
        },
    )
    assert build(config).ok
    assert query(
        config,
        "select in_progress_images, validated_images from marts.shotlist_coverage",
    ) == [(0, 2)]


def test_bad_row_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "status_map.csv"
    path.write_text(
        "source,status_code,status_label,status_group,counts_as,alert_type\n"
        "grandshooting,50,Validated,validated,validated,\n"
        "grandshooting,55,Published,published,done,\n"
    )
    with pytest.raises(SeedError, match=r"status_map.csv:3: counts_as must be one of .*'done'"):
        read_status_map(path)
