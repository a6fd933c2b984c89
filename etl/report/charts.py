"""PNG charts of the report (matplotlib, Agg backend), each with the alt text that describes it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers and cron; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402  (Pillow: installed with matplotlib)

from etl.report.data import ReportData  # noqa: E402

# Rendered at 1.25x the displayed width: crisp on high-density screens, yet small.
WIDTH_PX = 600
DPI = 100
SCALE = 1.25
FONT = "DejaVu Sans"
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
BLUE = "#2f6fb3"
GREEN = "#2e9d5b"

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


def _figure(height_px: int) -> tuple[Figure, Any]:
    fig = plt.figure(figsize=(WIDTH_PX / DPI, height_px / DPI), dpi=DPI)
    ax = fig.add_subplot(1, 1, 1)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.spines["bottom"].set_color(GRID)
    ax.tick_params(colors=MUTED, labelsize=9, length=0)
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI * SCALE, facecolor="white")
    plt.close(fig)
    # A 32-colour palette keeps each chart around 10 KB, so the standalone HTML with its
    # inline images stays small; flat chart colours survive it without visible banding.
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors=32).save(small, format="PNG", optimize=True)
    return small.getvalue()


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
    rows.reverse()  # largest category on top
    height = 60 + 28 * len(rows)
    fig, ax = _figure(height)
    labels = [_short(str(r["category"])) for r in rows]
    values = [float(r["coverage_pct"]) * 100 for r in rows]
    colours = [GREEN if v >= 100 else BLUE for v in values]
    bars = ax.barh(labels, values, color=colours, height=0.6)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    for bar, value in zip(bars, values, strict=True):
        inside = value > 85
        ax.text(
            value - 1.5 if inside else value + 1.5,
            bar.get_y() + bar.get_height() / 2,
            f"{value:.0f}%",
            va="center",
            ha="right" if inside else "left",
            fontsize=9,
            color="white" if inside else INK,
        )
    ax.tick_params(axis="y", labelcolor=INK)
    fig.tight_layout(pad=0.6)
    described = "; ".join(f"{r['category']} {float(r['coverage_pct']):.0%}" for r in rows[::-1])
    return Chart(
        "coverage",
        "Coverage by category",
        f"Bar chart of coverage by category: {described}.",
        _png(fig),
        height=height,
    )


def status_chart(data: ReportData, limit: int = 8) -> Chart | None:
    """Stacked horizontal bars: current deliverables per production, by status group."""
    rows = data.status_by_production.dicts()[:limit]
    groups = data.status_groups
    if not rows or not groups:
        return None
    rows.reverse()
    height = 90 + 30 * len(rows)
    fig, ax = _figure(height)
    labels = [_short(str(r["production"])) for r in rows]
    left = [0.0] * len(rows)
    spare = iter(FALLBACK_COLOURS * 4)
    for group in groups:
        values = [float(r.get(group) or 0) for r in rows]
        colour = GROUP_COLOURS.get(group.lower().replace(" ", "_")) or next(spare)
        ax.barh(labels, values, left=left, color=colour, height=0.6, label=group.replace("_", " "))
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.tick_params(axis="y", labelcolor=INK)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12 if len(rows) > 2 else -0.25),
        ncol=min(len(groups), 4),
        frameon=False,
        fontsize=8,
        labelcolor=INK,
    )
    fig.tight_layout(pad=0.6)
    described = "; ".join(
        f"{r['production']}: " + ", ".join(f"{r.get(g) or 0} {g}" for g in groups if r.get(g))
        for r in rows[::-1]
    )
    return Chart(
        "status",
        "Status by production",
        f"Stacked bar chart of images by status per production: {described}.",
        _png(fig),
        height=height,
    )


def progress_chart(data: ReportData) -> Chart | None:
    """Validated images (bars) and coverage % (line) over the last weeks."""
    points = data.progress
    if len(points) < 2:
        return None
    height = 240
    fig, ax = _figure(height)
    ax.grid(axis="x", visible=False)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    labels = [f"{p.week:%d %b}" for p in points]
    ax.bar(
        labels, [p.validated for p in points], color="#c9dcf0", width=0.6, label="validated images"
    )
    ax.set_ylabel("validated images", color=MUTED, fontsize=9)
    right = ax.twinx()
    right.spines[["top", "left", "bottom"]].set_visible(False)
    right.spines["right"].set_color(GRID)
    right.tick_params(colors=MUTED, labelsize=9, length=0)
    pct = [p.coverage_pct * 100 if p.coverage_pct is not None else float("nan") for p in points]
    right.plot(
        labels, pct, color=GREEN, linewidth=2.2, marker="o", markersize=4, label="coverage %"
    )
    right.set_ylim(0, 100)
    right.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}%")
    ax.tick_params(axis="x", labelrotation=0, labelsize=8)
    fig.legend(
        loc="upper left",
        ncol=2,
        frameon=False,
        fontsize=8,
        labelcolor=INK,
        bbox_to_anchor=(0.06, 1.0),
    )
    fig.tight_layout(pad=0.6, rect=(0, 0, 1, 0.92))
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
        _png(fig),
        height=height,
    )


def render_charts(data: ReportData) -> list[Chart]:
    """Every chart the data supports, in the order the report shows them."""
    plt.rcParams["font.family"] = FONT
    charts = [coverage_chart(data), status_chart(data), progress_chart(data)]
    return [c for c in charts if c is not None]
