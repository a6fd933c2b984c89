"""One explicit transaction on a DuckDB connection (a file or a lake), rolled back on failure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """`begin` ... `commit`; on failure roll back and re-raise the failure itself.

    A commit DuckLake refuses (a conflict) leaves no transaction: the rollback would then
    raise "no transaction is active" and hide the conflict, which callers retry on.
    """
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        rollback(con)
        raise


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back the open transaction, if a failed commit left one."""
    with suppress(duckdb.TransactionException):
        con.execute("rollback")
