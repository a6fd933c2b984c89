"""PNG charts of the report (drawn with Pillow), each with the alt text that describes it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from etl.report.canvas import FONT_PX, Canvas, nice_ticks
from etl.report.data import ReportData

WIDTH_PX = 600
PAD = 8
SMALL_PX = 11.1  # 8 pt at 100 dpi
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
BLUE = "#2f6fb3"
GREEN = "#2e9d5b"
LIGHT_BLUE = "#c9dcf0"

# A colour per status group, in the order production moves through them.
GROUP_COLOURS = {
    "captured": "#b8c4d0",
    "reshoot": "#e8a33d",
    "in_progress": "#6ea8de",
    "refused": "#d64545",
    "for_approval": "#f2c94c",
    "validated": "#2e9d5b",
    "published": "#1b6b3c",
}
FALLBACK_COLOURS = ("#9b7fd1", "#5fb3b3", "#c98b6b", "#8896ab", "#d67fb0")


@dataclass(frozen=True)
class Chart:
    """One chart: `name` doubles as the email Content-ID and the file stem."""

    name: str
    title: str
    alt: str
    png: bytes
    width: int = WIDTH_PX
    height: int = 0

    @property
    def cid(self) -> str:
        """Content-ID of the image part in the email, referenced as `cid:` in the HTML."""
        return f"{self.name}@shotlist.report"


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:g}"


def _x_axis(
    canvas: Canvas, x0: float, x1: float, top: float, axis: float, ticks: list[float], unit: str
) -> None:
    """Vertical grid lines at `ticks` (0 at x0, the last at x1), their labels under the axis."""
    for tick in ticks:
        x = x0 + (x1 - x0) * tick / ticks[-1]
        canvas.line([(x, top), (x, axis)], GRID, 0.8)
        canvas.text(x, axis + 5, f"{_number(tick)}{unit}", MUTED, anchor="mt")
    canvas.line([(x0, axis), (x1, axis)], GRID, 0.8)


def _short(text: str, limit: int = 28) -> str:
    """Fit a label; a category path keeps its most specific levels (`Bags > Handbags`)."""
    if len(text) > limit and " > " in text:
        parts = text.split(" > ")
        while len(parts) > 1 and len(" > ".join(parts)) > limit:
            parts.pop(0)
        text = " > ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def coverage_chart(data: ReportData, limit: int = 10) -> Chart | None:
    """Horizontal bars: coverage % of the largest categories."""
    rows = [r for r in data.by_category.dicts() if r["coverage_pct"] is not None][:limit]
    if not rows:
        return None
    height = 60 + 28 * len(rows)
    canvas = Canvas(WIDTH_PX, height)
    labels = [_short(str(r["category"])) for r in rows]
    values = [float(r["coverage_pct"]) * 100 for r in rows]
    x0 = PAD + max(canvas.text_width(label) for label in labels) + 8
    x1 = WIDTH_PX - 20
    top, axis = PAD, height - 26
    _x_axis(canvas, x0, x1, top, axis, [0, 20, 40, 60, 80, 100], "%")
    pitch = (axis - top) / len(rows)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        middle = top + pitch * (index + 0.5)  # largest category on top
        end = x0 + (x1 - x0) * min(max(value, 0), 100) / 100
        colour = GREEN if value >= 100 else BLUE
        canvas.rect(x0, middle - 0.3 * pitch, end, middle + 0.3 * pitch, colour)
        canvas.text(x0 - 6, middle, label, INK, anchor="rm")
        if value > 85:
            canvas.text(end - 4, middle, f"{value:.0f}%", "white", anchor="rm")
        else:
            canvas.text(end + 4, middle, f"{value:.0f}%", INK, anchor="lm")
    described = "; ".join(f"{r['category']} {float(r['coverage_pct']):.0%}" for r in rows)
    return Chart(
        "coverage",
        "Coverage by category",
        f"Bar chart of coverage by category: {described}.",
        canvas.png(),
        height=height,
    )


def status_chart(data: ReportData, limit: int = 8) -> Chart | None:
    """Stacked horizontal bars: current deliverables per production, by status group."""
    rows = data.status_by_production.dicts()[:limit]
    groups = data.status_groups
    if not rows or not groups:
        return None
    height = 90 + 30 * len(rows)
    canvas = Canvas(WIDTH_PX, height)
    spare = iter(FALLBACK_COLOURS * 4)
    colours = [GROUP_COLOURS.get(g.lower().replace(" ", "_")) or next(spare) for g in groups]
    names = [g.replace("_", " ") for g in groups]
    # The legend under the axis, in up to four columns, centred.
    columns = min(len(groups), 4)
    lines = math.ceil(len(groups) / columns)
    cell = max(canvas.text_width(n, SMALL_PX) for n in names) + 34
    legend_top = height - PAD - 18 * lines
    left = (WIDTH_PX - cell * columns) / 2
    for index, (name, colour) in enumerate(zip(names, colours, strict=True)):
        x = left + cell * (index % columns)
        y = legend_top + 18 * (index // columns) + 9
        canvas.rect(x, y - 5, x + 20, y + 5, colour)
        canvas.text(x + 26, y, name, INK, anchor="lm", size=SMALL_PX)
    labels = [_short(str(r["production"])) for r in rows]
    totals = [[float(r.get(g) or 0) for g in groups] for r in rows]
    x0 = PAD + max(canvas.text_width(label) for label in labels) + 8
    x1 = WIDTH_PX - 24
    top, axis = PAD, legend_top - 34
    ticks = nice_ticks(max(sum(t) for t in totals))
    _x_axis(canvas, x0, x1, top, axis, ticks, "")
    pitch = (axis - top) / len(rows)
    for index, (label, values) in enumerate(zip(labels, totals, strict=True)):
        middle = top + pitch * (index + 0.5)  # largest production on top
        start = 0.0
        for value, colour in zip(values, colours, strict=True):
            x_from = x0 + (x1 - x0) * start / ticks[-1]
            x_to = x0 + (x1 - x0) * (start + value) / ticks[-1]
            canvas.rect(x_from, middle - 0.3 * pitch, x_to, middle + 0.3 * pitch, colour)
            start += value
        canvas.text(x0 - 6, middle, label, INK, anchor="rm")
    described = "; ".join(
        f"{r['production']}: " + ", ".join(f"{r.get(g) or 0} {g}" for g in groups if r.get(g))
        for r in rows
    )
    return Chart(
        "status",
        "Status by production",
        f"Stacked bar chart of images by status per production: {described}.",
        canvas.png(),
        height=height,
    )


def progress_chart(data: ReportData) -> Chart | None:
    """Validated images (bars, left axis) and coverage % (line, right axis) over the weeks."""
    points = data.progress
    if len(points) < 2:
        return None
    height = 240
    canvas = Canvas(WIDTH_PX, height)
    # Legend on top: a bar swatch and a line with its marker.
    canvas.rect(PAD + 38, 5, PAD + 58, 15, LIGHT_BLUE)
    canvas.text(PAD + 64, 10, "validated images", INK, size=SMALL_PX)
    second = PAD + 76 + canvas.text_width("validated images", SMALL_PX)
    canvas.line([(second, 10), (second + 20, 10)], GREEN, 2.2)
    canvas.dot(second + 10, 10, 2.8, GREEN)
    canvas.text(second + 26, 10, "coverage %", INK, size=SMALL_PX)
    counts = [p.validated for p in points]
    ticks = nice_ticks(max(counts))
    top, axis = 26, height - 22
    x0 = 24 + max(canvas.text_width(_number(t)) for t in ticks) + 6
    x1 = WIDTH_PX - PAD - canvas.text_width("100%") - 8
    canvas.vertical_text(10, (top + axis) / 2, "validated images", MUTED, FONT_PX)

    def left_y(value: float) -> float:
        return axis - (axis - top) * value / ticks[-1]

    def right_y(pct: float) -> float:
        return axis - (axis - top) * pct / 100

    for tick in ticks:
        canvas.line([(x0, left_y(tick)), (x1, left_y(tick))], GRID, 0.8)
        canvas.text(x0 - 6, left_y(tick), _number(tick), MUTED, anchor="rm")
    for share in range(0, 101, 20):
        canvas.text(x1 + 6, right_y(share), f"{share}%", MUTED, anchor="lm")
    canvas.line([(x1, top), (x1, axis)], GRID, 0.8)
    slot = (x1 - x0) / len(points)
    centres = [x0 + slot * (i + 0.5) for i in range(len(points))]
    for centre, point in zip(centres, points, strict=True):
        canvas.rect(
            centre - 0.3 * slot, left_y(point.validated), centre + 0.3 * slot, axis, LIGHT_BLUE
        )
        canvas.text(centre, axis + 5, f"{point.week:%d %b}", MUTED, anchor="mt", size=SMALL_PX)
    # The coverage line, broken where a week has no coverage figure.
    run: list[tuple[float, float]] = []
    for index, at in enumerate([*centres, None]):
        pct = points[index].coverage_pct if at is not None else None
        if at is not None and pct is not None:
            run.append((at, right_y(pct * 100)))
            continue
        if len(run) > 1:
            canvas.line(run, GREEN, 2.2)
        for x, y in run:
            canvas.dot(x, y, 2.8, GREEN)
        run = []
    first, last = points[0], points[-1]
    described = (
        f"from the week of {first.week:%d %b %Y} to the week of {last.week:%d %b %Y}, "
        f"validated images went from {first.validated} to {last.validated}"
    )
    if first.coverage_pct is not None and last.coverage_pct is not None:
        described += f" and coverage from {first.coverage_pct:.0%} to {last.coverage_pct:.0%}"
    return Chart(
        "progress",
        "Progress over the last weeks",
        f"Chart of weekly progress: {described}.",
        canvas.png(),
        height=height,
    )


def render_charts(data: ReportData) -> list[Chart]:
    """Every chart the data supports, in the order the report shows them."""
    charts = [coverage_chart(data), status_chart(data), progress_chart(data)]
    return [c for c in charts if c is not None]
