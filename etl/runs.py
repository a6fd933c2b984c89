"""Reads the run log (`meta.sync_runs`) for people: one line per run and resource."""

from __future__ import annotations

from etl.config import Config
from etl.errors import ShotlistError
from etl.warehouse.duckdb_file import connect
from etl.warehouse.duckdb_file import recent_runs as run_rows
from etl.workspace import warehouse_path


def recent_runs(config: Config, limit: int = 20) -> list[str]:
    """The most recent runs, newest first, as printable lines."""
    path = warehouse_path(config)
    if not path.exists():
        raise ShotlistError(f"{path}: no warehouse yet (run `shotlist sync` first)")
    con = connect(path, read_only=True)
    try:
        rows = run_rows(con, limit)
    finally:
        con.close()
    lines = []
    for run_id, source, scope, resource, mode, started, ended, pages, n, status, error in rows:
        took = f"{(ended - started).total_seconds():.1f}s" if ended and started else "-"
        where = f"{source}.{resource}" + (f"[{scope}]" if scope not in ("", "0") else "")
        text = f"{run_id}  {started:%Y-%m-%d %H:%M:%S}  {where:<40} {mode:<11} {status:<11}"
        text += f" {n:>9} rows {pages:>6} pages {took:>8}"
        if error:
            text += f"  {error}"
        lines.append(text)
    return lines
