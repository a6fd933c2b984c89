"""Numbers written one way in the HTML, the text part and the console: `[report] locale`.

Only the separators differ between locales here (no currency or plural rules), so a small
table does it without a locale database. The workbook stores numbers, not text: Excel's
`#,##0` shows them with the reader's own separators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etl.report.errors import ReportError

NONE = "–"
# Language -> (thousands separator, decimal mark), as CLDR writes them.
SEPARATORS: dict[str, tuple[str, str]] = {
    "en": (",", "."),
    "fr": ("\u202f", ","),
    "de": (".", ","),
    "es": (".", ","),
    "it": (".", ","),
    "nl": (".", ","),
    "pt": (".", ","),
    "da": (".", ","),
    "sv": ("\u00a0", ","),
    "fi": ("\u00a0", ","),
    "nb": ("\u00a0", ","),
    "pl": ("\u00a0", ","),
    "ja": (",", "."),
    "zh": (",", "."),
}
# Swiss German and Italian group with an apostrophe.
REGIONS = {"de_ch": ("’", "."), "it_ch": ("’", "."), "fr_ch": ("\u202f", ",")}


@dataclass(frozen=True)
class Numbers:
    """Formats counts, decimals and percentages with one locale's separators."""

    thousands: str = ","
    decimal_mark: str = "."

    def _swap(self, text: str) -> str:
        # Python writes 1,234.5: map both marks at once so neither overwrites the other.
        return text.translate(str.maketrans(",.", self.thousands + self.decimal_mark))

    def integer(self, value: Any) -> str:
        if value is None:
            return NONE
        whole = value if isinstance(value, int) else round(float(value))
        return self._swap(f"{whole:,}")

    def number(self, value: Any, digits: int = 2) -> str:
        return NONE if value is None else self._swap(f"{float(value):,.{digits}f}")

    def pct(self, value: Any, digits: int = 0) -> str:
        """A ratio as a percentage: 0.5 -> `50%`."""
        return NONE if value is None else self._swap(f"{float(value) * 100:,.{digits}f}") + "%"

    def points(self, value: Any, digits: int = 1) -> str:
        """A change of a ratio in percentage points: 0.031 -> `3.1 pts`."""
        return (
            NONE if value is None else self._swap(f"{abs(float(value)) * 100:,.{digits}f}") + " pts"
        )


ENGLISH = Numbers()


def numbers_for(locale: str) -> Numbers:
    """`en`, `fr_FR`, `de-CH`...: the separators of the language (or of the region, when known)."""
    key = locale.strip().lower().replace("-", "_")
    if key in REGIONS:
        return Numbers(*REGIONS[key])
    language = key.split("_", 1)[0].split(".", 1)[0]
    if language in SEPARATORS:
        return Numbers(*SEPARATORS[language])
    known = ", ".join(sorted(SEPARATORS))
    raise ReportError(f"[report] locale {locale!r}: unknown (known languages: {known})")
