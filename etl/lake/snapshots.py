"""Snapshots of a lake: the build's publication, pinned reads, history lookups, retention.

On a lake the build does not copy the marts into a file: its last commit is tagged
`shotlist publish <run id>` (and adds a row to `meta.build_info`), and readers attach the lake
at that snapshot (`SNAPSHOT_VERSION`), so they see one complete build while syncs and the
next build commit. Every snapshot of the past stays readable until it is expired.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import duckdb

from etl.lake.attach import LAKE_ALIAS, attach_lake, connect_lake, literal
from etl.lake.config import LakeWarehouse
from etl.lake.errors import LakeError

PUBLISH_MESSAGE = "shotlist publish"

BUILD_INFO_DDL = """create table if not exists meta.build_info (
    run_id varchar, built_at timestamp, tables bigint
)"""


def current_version(con: duckdb.DuckDBPyConnection, alias: str = LAKE_ALIAS) -> int:
    row = con.execute(f"select id from {alias}.current_snapshot()").fetchone()
    assert row is not None
    return int(row[0])


def publish_snapshot(
    con: duckdb.DuckDBPyConnection, run_id: str, built_at: datetime, tables: int
) -> int:
    """Commit the publication of a build (tagged snapshot + `meta.build_info` row); its id."""
    con.execute(BUILD_INFO_DDL)
    con.execute("begin transaction")
    try:
        con.execute("insert into meta.build_info values (?, ?, ?)", [run_id, built_at, tables])
        extra = json.dumps({"run_id": run_id, "built_at": built_at.isoformat()})
        con.execute(
            f"call {LAKE_ALIAS}.set_commit_message('shotlist', "
            f"{literal(f'{PUBLISH_MESSAGE} {run_id}')}, extra_info => {literal(extra)})"
        )
        con.execute("commit")
    except BaseException:
        with contextlib.suppress(duckdb.TransactionException):
            con.execute("rollback")
        raise
    return current_version(con)


def published_version(
    con: duckdb.DuckDBPyConnection, alias: str = LAKE_ALIAS, before: datetime | None = None
) -> int | None:
    """The snapshot of the newest publication (at or before `before`), None if there is none."""
    where = f"commit_message like {literal(PUBLISH_MESSAGE + ' %')}"
    params: list[object] = []
    if before is not None:
        where += " and snapshot_time <= ?::timestamptz"
        params.append(before)
    row = con.execute(
        f"select max(snapshot_id) from ducklake_snapshots({literal(alias)}) where {where}", params
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def find_published(
    lake: LakeWarehouse,
    base_dir: Path,
    before: datetime | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """The published snapshot to read; a clear error when no build has published yet."""
    con = connect_lake(lake, base_dir=base_dir, read_only=True, env=env)
    try:
        version = published_version(con, before=before)
    finally:
        con.close()
    if version is None:
        when = f" at or before {before:%Y-%m-%d %H:%M}" if before else ""
        raise LakeError(
            f"lake {lake.catalog!r}: no published build{when} yet; run `shotlist build` first"
        )
    return version


def attach_published(
    con: duckdb.DuckDBPyConnection,
    lake: LakeWarehouse,
    alias: str,
    *,
    base_dir: Path,
    before: datetime | None = None,
) -> int:
    """Attach the lake read-only at its published snapshot as `alias`; returns the version."""
    version = find_published(lake, base_dir, before)
    attach_lake(con, lake, base_dir=base_dir, read_only=True, snapshot_version=version, alias=alias)
    return version


def maintain(
    con: duckdb.DuckDBPyConnection, keep_days: float | None, *, dry_run: bool = False
) -> dict[str, int]:
    """Retention and compaction: expire snapshots older than `keep_days` (the newest
    publication is always kept), delete the files only they used, merge small files."""
    done = {"expired": 0, "files_deleted": 0}
    if keep_days is not None:
        keep_from = published_version(con)
        cutoff = f"now() - interval '{float(keep_days)} days'"
        expire = f"older_than => {cutoff}"
        if keep_from is not None:
            # Never expire what readers are told to read.
            versions = con.execute(
                f"select list(snapshot_id) from ducklake_snapshots({literal(LAKE_ALIAS)}) "
                f"where snapshot_time < {cutoff} and snapshot_id < ?",
                [keep_from],
            ).fetchone()
            expired = list(versions[0] or []) if versions else []
            expire = f"versions => {expired}" if expired else ""
        if expire:
            rows = con.execute(
                f"call ducklake_expire_snapshots({literal(LAKE_ALIAS)}, {expire}, "
                f"dry_run => {str(dry_run).lower()})"
            ).fetchall()
            done["expired"] = len(rows)
        files = con.execute(
            f"call ducklake_cleanup_old_files({literal(LAKE_ALIAS)}, cleanup_all => true, "
            f"dry_run => {str(dry_run).lower()})"
        ).fetchall()
        done["files_deleted"] = len(files)
    if not dry_run:
        con.execute(f"call ducklake_flush_inlined_data({literal(LAKE_ALIAS)})")
        con.execute(f"call ducklake_merge_adjacent_files({literal(LAKE_ALIAS)})")
    return done
