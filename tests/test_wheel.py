"""The built wheel, installed outside the checkout, runs `shotlist demo` from an empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import duckdb
import openpyxl
import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCES = 200


def run(*command: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        text=True,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; returns its `bin/` folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    # No PYTHONPATH and no config of the caller's: the venv alone must provide everything.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SHOTLIST_CONFIG")}
    # pip's own cache is reused (build isolation fetches setuptools once).
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp, REPO, cwd=tmp, env=env)
    (wheel,) = tmp.glob("shotlist_analytics-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp, env=env)
    # The third-party dependencies come from this interpreter's site-packages (a path line in a
    # .pth file, so that folder's own .pth files, the editable install's among them, stay
    # inactive): installing polars, duckdb and pyarrow again would take minutes and test pip.
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (purelib / "shotlist-test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel,
        cwd=tmp, env=env)  # fmt: skip
    return venv / "bin"


@pytest.mark.slow
def test_wheel_runs_the_demo_from_any_folder(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SHOTLIST_CONFIG")}
    where = run(
        installed / "python",
        "-c",
        "import etl.resources as r; print(r.ROOT)",
        cwd=tmp_path,
        env=env,
    )
    # The runtime files are read from the installed package, not from this checkout.
    root = Path(where.stdout.strip())
    assert root.parts[-2:] == ("etl", "_bundled") and root.is_relative_to(installed.parent)

    # No simulated days: the catalog stays at REFERENCES (tests/demo runs the two weeks).
    done = run(
        installed / "shotlist", "demo", "--references", str(REFERENCES), "--rate-limit", "0",
        "--days", "0",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    loaded = dict(
        line.split()[:2] for line in done.stdout.splitlines() if line.startswith("  raw.")
    )
    assert loaded["raw.grandshooting__references"] == f"{REFERENCES:,}"

    con = duckdb.connect(str(tmp_path / "data" / "analytics.duckdb"), read_only=True)
    try:
        products = con.execute(
            "select count(*) from marts.products where source = 'grandshooting'"
        ).fetchone()
        in_scope = con.execute("select count(*) from marts.products where in_scope").fetchone()
        from_file = con.execute(
            "select count(*) from marts.products where guideline_origin = 'file'"
        ).fetchone()
    finally:
        con.close()
    assert products == (REFERENCES,)
    # The bundled example guidelines applied (the folder has no data/guidelines.toml of its own).
    assert from_file is not None and from_file[0] > 0

    (workbook,) = (tmp_path / "out" / "reports").glob("*.xlsx")
    assert len(list((tmp_path / "out" / "reports").glob("*.html"))) == 1
    summary = openpyxl.load_workbook(workbook, read_only=True)["Summary"]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if len(row) > 1}
    assert in_scope is not None and values["Products in scope"] == in_scope[0]

    # The other commands find their files from here too: build (SQL models, status map), query,
    # runs, and init's starter, which the installed loader accepts.
    shotlist = installed / "shotlist"
    run(shotlist, "build", cwd=tmp_path, env=env)
    counted = run(shotlist, "query", "select count(*) as n from marts.products where in_scope",
                  "--format", "csv", cwd=tmp_path, env=env)  # fmt: skip
    assert counted.stdout.split() == ["n", str(in_scope[0])]
    header = run(shotlist, "runs", "--limit", "1", cwd=tmp_path, env=env).stdout.splitlines()[0]
    assert header.split()[:3] == ["run", "started", "resource"]
    run(shotlist, "init", "starter", cwd=tmp_path, env=env)
    check = "from etl.config import load_config; print(load_config('starter/shotlist.toml').path)"
    loaded_from = run(installed / "python", "-c", check, cwd=tmp_path, env=env).stdout.strip()
    assert loaded_from == str((tmp_path / "starter" / "shotlist.toml").resolve())
