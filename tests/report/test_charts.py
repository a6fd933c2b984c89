"""The charts drawn with Pillow: PNGs of the size the HTML declares, round axis ticks."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any, cast

from PIL import Image

from etl.report.canvas import SCALE, nice_ticks
from etl.report.charts import progress_chart
from etl.report.data import WeekPoint


def test_nice_ticks_are_round_and_reach_the_top() -> None:
    assert nice_ticks(1914) == [0, 500, 1000, 1500, 2000]
    assert nice_ticks(296_000) == [0, 100_000, 200_000, 300_000]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert nice_ticks(100) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(0) == [0, 1]


def test_progress_chart_with_a_week_without_coverage() -> None:
    monday = date(2026, 11, 2)
    points = [
        WeekPoint(monday + timedelta(weeks=i), validated, pct)
        for i, (validated, pct) in enumerate([(10, 0.1), (20, None), (30, 0.5), (45, 0.6)])
    ]
    chart = progress_chart(cast(Any, SimpleNamespace(progress=points)))
    assert chart is not None
    image = Image.open(io.BytesIO(chart.png))
    assert image.format == "PNG"
    assert image.size == (round(chart.width * SCALE), round(chart.height * SCALE))
    assert "validated images went from 10 to 45 and coverage from 10% to 60%" in chart.alt
