"""Reads the run log (`meta.sync_runs`) for people: a table, one row per run and resource."""

from __future__ import annotations

from etl.config import Config
from etl.errors import ShotlistError
from etl.warehouse.duckdb_file import recent_runs as run_rows
from etl.warehouse_kind import is_lake, warehouse_path
from etl.workspace import connect

HEADER = ("run", "started", "resource", "mode", "status", "rows", "pages", "took", "error")
NUMERIC = {"rows", "pages", "took"}  # right-aligned


def counted(n: int, noun: str) -> str:
    """`1 page`, `2 pages`."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def aligned(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A header line and one line per row, each column as wide as its widest cell."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        padded = (
            cell.rjust(width) if name in NUMERIC else cell.ljust(width)
            for name, cell, width in zip(header, cells, widths, strict=True)
        )
        return "  ".join(padded).rstrip()

    return [line(header), *(line(row) for row in rows)]


def recent_runs(config: Config, limit: int = 20) -> list[str]:
    """The most recent runs, newest first, as printable lines under a header line."""
    if not is_lake(config):
        path = warehouse_path(config)
        if not path.exists():
            raise ShotlistError(f"{path}: no warehouse yet (run `shotlist sync` first)")
    # A lake is read at its newest snapshot: runs still going show as running.
    con = connect(config, read_only=True)
    try:
        rows = run_rows(con, limit)
    finally:
        con.close()
    if not rows:
        return []
    table: list[tuple[str, ...]] = []
    for run_id, source, scope, resource, mode, started, ended, pages, n, status, error in rows:
        took = f"{(ended - started).total_seconds():.1f}s" if ended and started else "-"
        where = f"{source}.{resource}" + (f"[{scope}]" if scope not in ("", "0") else "")
        started_at = f"{started:%Y-%m-%d %H:%M:%S}"
        row = (str(run_id), started_at, where, mode, status, str(n), str(pages), took, error or "")
        table.append(row)
    return aligned(HEADER, table)
