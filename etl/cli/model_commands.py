"""`shotlist build`, `test`, `docs` and `query`: thin wrappers over `etl.models`."""

from __future__ import annotations

from pathlib import Path

import click

from etl.cli.base import Context, cli
from etl.models import build as build_models
from etl.models import run_data_tests
from etl.models.docs import write_docs
from etl.models.errors import BuildFailedError
from etl.models.query import FORMATS, run_query
from etl.workspace import locked


@cli.command("build")
@click.option("--no-publish", is_flag=True, help="Do not publish the analytics database.")
@click.pass_obj
def build_command(ctx: Context, no_publish: bool) -> None:
    """Build the SQL models (staging, intermediate, marts), run data tests, publish.

    Publishes the marts to the read-only analytics database (default
    data/analytics.duckdb) when every model built and no error-level test failed.

    \b
    Example:
      shotlist build
    """
    with locked(ctx.config, "build"):
        result = build_models(ctx.config, publish_analytics=not no_publish)
    for line in result.summary_lines():
        click.echo(line)
    if not result.ok:
        failed = len(result.failed_models) + len(result.test_failures)
        raise BuildFailedError(
            f"build failed: {len(result.failed_models)} model(s) failed, "
            f"{len(result.skipped_models)} skipped, {len(result.test_failures)} data test(s) "
            f"failed ({failed} problem(s) listed above); the analytics database was not updated"
        )


@cli.command("test")
@click.pass_obj
def test_command(ctx: Context) -> None:
    """Run the data tests on the models already built.

    \b
    Example:
      shotlist test
    """
    with locked(ctx.config, "test"):
        results = run_data_tests(ctx.config)
    for r in results:
        line = f"{r.status:<8} {r.severity:<5} {r.name}"
        click.echo(line if r.status in ("pass", "skipped") else f"{line}: {r.describe()}")
    blocking = [r for r in results if r.blocking]
    passed = sum(1 for r in results if r.status == "pass")
    click.echo(f"{passed} passed, {len(blocking)} failed")
    if blocking:
        raise BuildFailedError(f"{len(blocking)} error-level data test(s) failed")


@cli.command("docs")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the Markdown to this file (default: print it).",
)
@click.pass_obj
def docs_command(ctx: Context, output: Path | None) -> None:
    """Write the data dictionary of the marts (Markdown) from their descriptions.

    \b
    Example:
      shotlist docs -o docs/data_dictionary.md
    """
    text = write_docs(ctx.config, output)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output}")


@cli.command("query")
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.pass_obj
def query_command(ctx: Context, sql: str, fmt: str) -> None:
    """Run SQL on the published analytics database (read-only) and print the rows.

    \b
    Example:
      shotlist query "select coverage_status, count(*) from marts.shotlist_coverage group by 1"
      shotlist query "select * from marts.guideline_alerts" --format csv
    """
    click.echo(run_query(ctx.config, sql, fmt))
