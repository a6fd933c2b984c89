"""Both simulators on loopback, and configs of a file warehouse and of a lake pointed at them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.config import Config, parse_config
from etl.config_toml import config_toml, toml_text
from etl.demo import DEMO_TOKEN, DEMO_TOKEN_ENV, SARTIQ_DEMO_TOKEN_ENV, demo_config
from etl.simulators.grandshooting import CatalogSpec, GrandShootingSimulator, generate_catalog
from etl.simulators.sartiq import SartiqSimulator
from tests.lake.services import S3_KEYS, Postgres, S3Server

REFERENCES = 20
SEED = 11


@dataclass
class Simulators:
    grandshooting_url: str
    sartiq: SartiqSimulator

    def point(self, base: Config) -> Config:
        """`base`'s warehouse, with Grand Shooting and Sartiq sources at the simulators."""
        return demo_config(base, self.grandshooting_url, 0, self.sartiq)


@contextmanager
def simulators(references: int = REFERENCES, **options: Any) -> Iterator[Simulators]:
    """Both simulators serving; their tokens are set in the environment (inherited by children)."""
    os.environ[DEMO_TOKEN_ENV] = DEMO_TOKEN
    gs = GrandShootingSimulator(
        generate_catalog(CatalogSpec(references=references, seed=SEED)),
        token=DEMO_TOKEN,
        rate_limit=0,
        **options,
    )
    sartiq = SartiqSimulator(SEED)
    os.environ[SARTIQ_DEMO_TOKEN_ENV] = sartiq.token
    with gs.serve(host="127.0.0.1", port=0) as server, sartiq.serve():
        yield Simulators(server.base_url, sartiq)


def lake_section(
    postgres: Postgres, name: str, s3: S3Server | None = None, **extra: Any
) -> dict[str, Any]:
    """A `[warehouse]` table of a lake: catalog in `postgres` (schema `name`), data on S3."""
    section: dict[str, Any] = {
        "kind": "ducklake",
        "catalog": f"postgres:{postgres.conninfo()}",
        "metadata_schema": name,
        "data_path": f"s3://{s3.bucket}/{name}/" if s3 else "lake-data",
        **extra,
    }
    if s3 is not None:
        section["s3_endpoint"] = s3.endpoint
        os.environ.update(S3_KEYS)
    return section


def config(folder: Path, warehouse: dict[str, Any] | None = None) -> Config:
    """A config in `folder` (written there as shotlist.toml, for child processes)."""
    data: dict[str, Any] = {"report": {"out_dir": "out"}}
    if warehouse:
        data["warehouse"] = warehouse
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "shotlist.toml"
    path.write_text(toml_text(data), encoding="utf-8")
    return parse_config(data, path)


def write_pointed(config: Config, sims: Simulators) -> Path:
    """The config file with the simulators' sources, for a `shotlist` child process."""
    assert config.path is not None
    config.path.write_text(config_toml(sims.point(config)), encoding="utf-8")
    return config.path
