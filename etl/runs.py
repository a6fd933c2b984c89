"""Reads the run log (`meta.sync_runs`) for people: one line per run and resource."""

from __future__ import annotations

import duckdb

from etl.config import Config
from etl.errors import ShotlistError


def recent_runs(config: Config, limit: int = 20) -> list[str]:
    """The most recent runs, newest first, as printable lines."""
    path = config.resolve(config.warehouse.path)
    if not path.exists():
        raise ShotlistError(f"{path}: no warehouse yet (run `shotlist sync` first)")
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            f"""with recent as (
                   select run_id, max(started_at) as latest from meta.sync_runs
                   group by run_id order by latest desc limit {int(limit)}
               )
               select r.run_id, r.source, r.scope, r.resource, r.mode, r.started_at,
                      r.ended_at, r.pages, r.rows, r.status, r.error
               from meta.sync_runs r join recent using (run_id)
               order by recent.latest desc, r.started_at""",
        ).fetchall()
    except duckdb.CatalogException:
        return []
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
