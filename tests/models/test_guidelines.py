"""The guideline file: where it is read from, strict parsing, specificity on small catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.models import build
from etl.models.errors import GuidelineError
from etl.models.guidelines import parse_guidelines, read_guidelines
from etl.resources import EXAMPLE_GUIDELINES

from .helpers import load_raw, make_config, query

HERE = Path("guidelines.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[guideline]]\nname = "Bags"\nexpected_images = "five"\n',
            "guideline 'Bags' (#1): expected_images: input should be a valid integer",
        ),
        (
            '[[guideline]]\nname = "A"\nexpected_images = 1\n'
            '[[guideline]]\nname = "Bags"\nfamliy = "Handbags"\nexpected_images = 2\n',
            "guideline 'Bags' (#2): famliy: unknown key",
        ),
        (
            '[[guideline]]\nname = "Bags"\nexpected_images = 1\nrequired_views = ["F", "B"]\n',
            "guideline 'Bags' (#1): expected_images: 1 is fewer than the 2 required_views",
        ),
        (
            '[[guideline]]\nname = "Bags"\nrequired_views = ["F"]\n[guideline.spec]\nwidth = -3\n',
            "guideline 'Bags' (#1): spec.width: input should be greater than 0",
        ),
        (
            '[[guideline]]\nfamily = "Handbags"\nexpected_images = 2\n',
            "guideline #1: name: field required",
        ),
        (
            '[[guideline]]\nname = "Bags"\n',
            "guideline 'Bags' (#1): expected_images: give expected_images or required_views",
        ),
        (
            '[[guideline]]\nname = "Bags"\nexpected_images = 1\nformat_id = 3\n'
            "[guideline.spec]\nwidth = 10\n",
            "guideline 'Bags' (#1): format_id: give either spec or format_id, not both",
        ),
        ("[[guideline]\n", "not valid TOML"),
    ],
)
def test_malformed_file_names_guideline_and_field(text: str, message: str) -> None:
    with pytest.raises(GuidelineError) as caught:
        parse_guidelines(text, HERE)
    assert message in str(caught.value)
    assert str(caught.value).startswith("guidelines.toml: ")
    assert "\n" not in str(caught.value)


def test_configured_path_must_exist(tmp_path: Path) -> None:
    config = make_config(tmp_path, extra='[guidelines]\npath = "nowhere.toml"\n')
    with pytest.raises(GuidelineError, match="guidelines.path: .*nowhere.toml does not exist"):
        read_guidelines(config)


def test_no_file_configured_and_none_at_default_path(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    assert read_guidelines(config) == (None, [])
    default = tmp_path / "data" / "guidelines.toml"
    default.parent.mkdir()
    default.write_text('[[guideline]]\nname = "All"\nexpected_images = 2\n')
    path, guidelines = read_guidelines(config)
    assert path == default
    assert [g.name for g in guidelines] == ["All"]


def test_shipped_example_is_valid() -> None:
    example = EXAMPLE_GUIDELINES
    guidelines = parse_guidelines(example.read_text(encoding="utf-8"), example)
    assert len(guidelines) >= 3


def test_catch_all_and_refinements_rank_below_category_levels(tmp_path: Path) -> None:
    guidelines = """
[[guideline]]
name = "Catch-all"
expected_images = 1

[[guideline]]
name = "Women"
gender = "Women"
expected_images = 2

[[guideline]]
name = "RTW"
univers = "RTW"
expected_images = 3

[[guideline]]
name = "RTW women"
univers = "rtw"
gender = "WOMEN"
expected_images = 4
"""
    config = make_config(tmp_path, guidelines=guidelines)
    load_raw(
        config,
        {
            "grandshooting__references": [
                # univers + gender: "RTW women" (level 1, one refinement) beats "RTW" (level 1)
                # and "Women" (level 0); matching ignores case.
                {"reference_id": 1, "ref": "A", "univers": "RTW", "gender": "Women"},
                # univers only: "RTW".
                {"reference_id": 2, "ref": "B", "univers": "RTW", "gender": "Men"},
                # gender only: "Women" (a refinement) beats the catch-all.
                {"reference_id": 3, "ref": "C", "univers": "Home", "gender": "Women"},
                # nothing: the catch-all.
                {"reference_id": 4, "ref": "D"},
            ]
        },
    )
    assert build(config).ok
    rows = query(
        config,
        "select product_key, guideline, expected_images, coverage_status "
        "from marts.shotlist_coverage order by 1",
    )
    assert rows == [
        ("A", "RTW women", 4, "not_started"),
        ("B", "RTW", 3, "not_started"),
        ("C", "Women", 2, "not_started"),
        ("D", "Catch-all", 1, "not_started"),
    ]


def test_file_guideline_can_name_a_synced_format(tmp_path: Path) -> None:
    guidelines = '[[guideline]]\nname = "Web"\nexpected_images = 1\nformat_id = 7\n'
    config = make_config(tmp_path, guidelines=guidelines)
    load_raw(
        config,
        {
            "grandshooting__specification_formats": [
                {
                    "format_id": 7,
                    "smalltext": "Web",
                    "file_format": "JPG",
                    "width": 800,
                    "height": 800,
                    "max_file_size": 100.0,
                }
            ],
            "grandshooting__references": [{"reference_id": 1, "ref": "A"}],
            "grandshooting__pictures": [
                # 800x800 JPG of 150 KB: only the size is wrong (limit 100 KB).
                {
                    "picture_id": 1,
                    "benchsteptype": 40,
                    "picturestatus": 50,
                    "reference_id": "1",
                    "smalltext": "a.jpg",
                    "width": 800,
                    "height": 800,
                    "filesize": 150 * 1024,
                },
            ],
        },
    )
    assert build(config).ok
    rows = query(
        config,
        "select alert_type, expected, actual from marts.guideline_alerts order by 1",
    )
    assert rows == [("file_too_large", "<= 100 KB", "150.0 KB")]


def test_malformed_file_fails_build_before_replacing_anything(tmp_path: Path) -> None:
    config = make_config(tmp_path, guidelines='[[guideline]]\nname = "All"\nexpected_images = 1\n')
    assert build(config).ok
    (tmp_path / "guidelines.toml").write_text('[[guideline]]\nname = "All"\nexpected = 1\n')
    with pytest.raises(GuidelineError, match="guideline 'All' \\(#1\\): expected: unknown key"):
        build(config)
    assert query(config, "select count(*) from marts.products") == [(0,)]
