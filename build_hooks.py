"""Build step: copies the runtime files of `sql/`, `reports/` and `data/` into the wheel."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
TARGET = Path("etl", "_bundled")  # where etl/resources.py looks first
# What a running `shotlist` reads, by folder. `data/` also holds local warehouses: seeds only.
BUNDLE = {
    "sql": ("**/*.sql", "schema.toml"),
    "reports": ("*.html", "*.txt"),
    "data": (
        "status_map.csv",
        "guidelines.toml",
        "alert_severities.csv",
        "severities.csv",
        "alert_types.csv",
    ),
}


def bundled_files() -> list[Path]:
    """The files to ship, relative to the project root."""
    found = {
        path.relative_to(ROOT)
        for folder, patterns in BUNDLE.items()
        for pattern in patterns
        for path in (ROOT / folder).glob(pattern)
        if path.is_file()
    }
    return sorted(found)


class BundleBuildPy(build_py):
    """`build_py`, plus the bundled copies; an editable install reads the checkout instead."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        # build/lib outlives a build: a model deleted from sql/ must not ship from a stale copy.
        shutil.rmtree(Path(self.build_lib, TARGET), ignore_errors=True)
        for relative in bundled_files():
            target = Path(self.build_lib, TARGET, relative)
            self.mkpath(str(target.parent))
            self.copy_file(str(ROOT / relative), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not self.editable_mode:
            outputs += [str(Path(self.build_lib, TARGET, rel)) for rel in bundled_files()]
        return outputs
