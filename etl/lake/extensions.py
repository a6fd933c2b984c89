"""Loads the DuckDB extensions a lake needs from the files the `duckdb-ext-*` packages install.

DuckDB's extension site is unreachable in CI and on many servers, so the files shipped by the PyPI
packages come first; `INSTALL` from the site is only the fallback where the network allows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import duckdb

from etl.lake.errors import LakeError


@dataclass(frozen=True)
class Extension:
    """A DuckDB extension: the name `LOAD` takes, its file's stem, the PyPI package shipping it."""

    name: str
    stem: str
    package: str


EXTENSIONS: dict[str, Extension] = {
    e.name: e
    for e in (
        Extension("ducklake", "ducklake", "duckdb-ext-ducklake"),
        Extension("postgres", "postgres_scanner", "duckdb-ext-postgres"),
        Extension("httpfs", "httpfs", "duckdb-ext-httpfs"),
        Extension("sqlite", "sqlite_scanner", "duckdb-ext-sqlite"),
    )
}


@cache
def _this_runtime() -> tuple[str, str]:
    """This process's DuckDB version tag and platform (one DuckDB per process: read once)."""
    with duckdb.connect() as con:
        return runtime(con)


def runtime(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """The running DuckDB's version tag and platform, as extension folders name them."""
    version = con.execute("select version()").fetchone()
    platform = con.execute("pragma platform").fetchone()
    assert version is not None and platform is not None
    return str(version[0]), str(platform[0])


@cache
def packaged_files(extension: Extension, platform: str) -> dict[str, Path]:
    """The extension's files its package installed for this platform, by DuckDB version tag."""
    try:
        files = metadata.distribution(extension.package).files or []
    except metadata.PackageNotFoundError:
        return {}
    found = {}
    for file in files:
        parts = str(file).replace("\\", "/").split("/")
        if parts[-1] == f"{extension.stem}.duckdb_extension" and parts[-2:-1] == [platform]:
            path = Path(str(file.locate()))
            if len(parts) >= 3 and path.is_file():
                found[parts[-3]] = path
    return found


def _missing(extension: Extension, version: str, platform: str, shipped: list[str]) -> str:
    if shipped:
        return (
            f"{extension.package} ships it for DuckDB {', '.join(sorted(shipped))} only, "
            f"this is DuckDB {version} (pin duckdb to that release)"
        )
    return f"`pip install {extension.package}` ships it for DuckDB 1.4.4"


def _loaded(con: duckdb.DuckDBPyConnection, extension: Extension) -> bool:
    row = con.execute(
        "select loaded from duckdb_extensions() where extension_name = ?", [extension.stem]
    ).fetchone()
    return bool(row and row[0])


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """Load one extension; returns where it came from ("loaded", a file path, or "install")."""
    extension = EXTENSIONS[name]
    if _loaded(con, extension):
        return "loaded"
    version, platform = _this_runtime()
    shipped = packaged_files(extension, platform)
    path = shipped.get(version)
    if path is not None:
        con.execute(f"load '{str(path).replace(chr(39), chr(39) * 2)}'")
        return str(path)
    try:
        # Already in DuckDB's own extension folder, or downloadable from its site.
        con.execute(f"install {extension.name}")
        con.execute(f"load {extension.name}")
    except duckdb.Error as exc:
        raise LakeError(
            f"DuckDB extension {extension.name!r} is not installed for DuckDB {version} "
            f"({platform}): {_missing(extension, version, platform, list(shipped))}; "
            f"INSTALL from DuckDB's site failed too: {_first_line(exc)}"
        ) from None
    return "install"


def load_extensions(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> dict[str, str]:
    """Load each named extension (see `load_extension`); returns where each came from."""
    return {name: load_extension(con, name) for name in names}


def connection_config(names: Iterable[str]) -> dict[str, str | bool | int | float | list[str]]:
    """The DuckDB config of a connection that will load the named extensions."""
    # DuckDB checks an extension's signature by hashing the whole file at every load into
    # every database: 125 MB for the lake's three, 0.12-0.2 s each on a quiet 2-core machine
    # and 0.4-0.9 s under load, paid again by each connection a command opens. Files the
    # `duckdb-ext-*` packages installed sit in the same site-packages as this code, which is
    # trusted as it is, so the check is skipped for them only; when any of them would come
    # from `INSTALL` (DuckDB's download folder), the connection keeps checking signatures.
    version, platform = _this_runtime()
    packaged = all(version in packaged_files(EXTENSIONS[name], platform) for name in names)
    return {"allow_unsigned_extensions": True} if packaged else {}


def extension_connection(names: Iterable[str]) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the named extensions loaded."""
    wanted = list(names)
    con = duckdb.connect(config=connection_config(wanted))
    try:
        load_extensions(con, wanted)
    except BaseException:
        con.close()
        raise
    return con
