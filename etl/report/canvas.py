"""A small raster canvas for the report's charts: Pillow drawing in chart coordinates, PNG out.

The charts are three simple bar and line plots; drawing them with Pillow (text, rectangles,
lines) instead of a plotting library keeps the report's process about 30 MiB smaller and
draws in milliseconds. Everything is drawn at 2x and scaled down once, which smooths the
edges of lines, markers and text the way an antialiasing renderer would.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import cache

from PIL import Image, ImageDraw, ImageFont

# Rendered at 1.25x the displayed width: crisp on high-density screens, yet small.
SCALE = 1.25
SUPERSAMPLE = 2
FONT_PX = 12.5  # 9 pt at 100 dpi, in displayed pixels
PALETTE = 32  # colours of the quantised PNG (about 10 KB a chart)

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def font(size_px: float) -> Font:
    """Pillow's own scalable sans-serif (Aileron), `size_px` displayed pixels tall."""
    return ImageFont.load_default(round(size_px * SCALE * SUPERSAMPLE))


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (steps of 1, 2, 2.5 or 5 times 10^n)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    last = math.ceil(top / step - 1e-9)
    return [i * step for i in range(last + 1)]


class Canvas:
    """A white image `width` x `height` displayed pixels; coordinates are displayed pixels."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.k = SCALE * SUPERSAMPLE
        self.image = Image.new("RGB", (round(width * self.k), round(height * self.k)), "white")
        self.draw = ImageDraw.Draw(self.image)

    def _xy(self, x: float, y: float) -> tuple[float, float]:
        return x * self.k, y * self.k

    def text_width(self, text: str, size: float = FONT_PX) -> float:
        return font(size).getlength(text) / self.k

    def rect(self, x0: float, y0: float, x1: float, y1: float, colour: str) -> None:
        if x1 - x0 <= 0 or y1 - y0 <= 0:
            return
        self.draw.rectangle((*self._xy(x0, y0), *self._xy(x1, y1)), fill=colour)

    def line(self, points: Sequence[tuple[float, float]], colour: str, width: float = 1) -> None:
        self.draw.line(
            [self._xy(x, y) for x, y in points],
            fill=colour,
            width=round(width * self.k),
            joint="curve",
        )

    def dot(self, x: float, y: float, radius: float, colour: str) -> None:
        cx, cy = self._xy(x, y)
        r = radius * self.k
        self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        colour: str,
        *,
        anchor: str = "lm",
        size: float = FONT_PX,
    ) -> None:
        """`anchor` is Pillow's: l/m/r horizontally, then t/m/b (s: baseline) vertically."""
        self.draw.text(self._xy(x, y), text, fill=colour, font=font(size), anchor=anchor)

    def vertical_text(self, x: float, y: float, text: str, colour: str, size: float) -> None:
        """Text read bottom to top, centred on (x, y)."""
        face = font(size)
        left, top, right, bottom = face.getbbox(text)
        label = Image.new("L", (math.ceil(right - left) + 2, math.ceil(bottom - top) + 2), 0)
        ImageDraw.Draw(label).text((1 - left, 1 - top), text, fill=255, font=face)
        label = label.rotate(90, expand=True)
        cx, cy = self._xy(x, y)
        at = (round(cx - label.width / 2), round(cy - label.height / 2))
        self.image.paste(Image.new("RGB", label.size, colour), at, label)

    def png(self) -> bytes:
        """The chart at its final size, palette-quantised: small for the standalone HTML."""
        size = (round(self.width * SCALE), round(self.height * SCALE))
        # A box filter averages each 2x2 block: smooth edges without LANCZOS's ringing, whose
        # extra shades made the PNGs half again larger.
        image = self.image.resize(size, Image.Resampling.BOX)
        out = io.BytesIO()
        image.quantize(colors=PALETTE).save(out, format="PNG", optimize=True)
        return out.getvalue()
