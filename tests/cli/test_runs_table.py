"""`shotlist runs` prints a table: a header row, aligned columns, counts in the singular for 1."""

from __future__ import annotations

from etl.runs import HEADER, aligned, counted


def test_counted_uses_the_singular_for_one() -> None:
    assert [counted(n, "page") for n in (0, 1, 2)] == ["0 pages", "1 page", "2 pages"]


def test_aligned_pads_text_left_and_numbers_right() -> None:
    rows = [
        ("r1", "2026-12-01 10:00:00", "grandshooting.pictures", "full", "ok", "12345", "7",
         "3.0s", ""),
        ("r1", "2026-12-01 10:00:03", "sartiq.looks[org]", "incremental", "failed", "0", "1",
         "12.5s", "HTTP 500"),
    ]  # fmt: skip
    header, first, second = aligned(HEADER, rows)
    assert header.split() == list(HEADER)
    for line in (first, second):
        # Text columns start under their name, numbers end under theirs.
        assert line.index("sartiq" if "sartiq" in line else "grand") == header.index("resource")
        assert line.index("incr" if "incr" in line else "full") == header.index("mode")
    assert first[: header.index("pages") + len("pages")].endswith("    7")
    assert second[: header.index("took") + len("took")].endswith("12.5s")
    assert first.endswith("3.0s")  # an empty last column leaves no trailing blanks
    assert second.endswith("12.5s  HTTP 500")
