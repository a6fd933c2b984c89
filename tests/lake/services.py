"""The lake tests' servers: a fresh PostgreSQL database for the catalog, moto's S3 on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass

import httpx

S3_KEYS = {"AWS_ACCESS_KEY_ID": "lake-test-key", "AWS_SECRET_ACCESS_KEY": "lake-test-secret"}


@dataclass(frozen=True)
class Postgres:
    """Where the catalog database is (libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD apply)."""

    host: str
    port: int
    user: str
    password: str
    database: str = "postgres"

    @classmethod
    def from_env(cls) -> Postgres:
        return cls(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            port=int(os.environ.get("PGPORT", "5432")),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
        )

    def conninfo(self) -> str:
        return f"dbname={self.database} host={self.host} port={self.port} user={self.user}"

    def missing(self) -> list[str]:
        """What this machine lacks to run the lake tests, one phrase each (empty: all there)."""
        problems = []
        try:
            socket.create_connection((self.host, self.port), timeout=2).close()
        except OSError as exc:
            problems.append(f"PostgreSQL on {self.host}:{self.port} ({exc.strerror or exc})")
        if shutil.which("psql") is None:
            problems.append("psql (PostgreSQL's client, to create the test database) on PATH")
        return problems

    def psql(self, sql: str) -> None:
        """One statement on the server's `postgres` database (CREATE DATABASE needs autocommit)."""
        env = {**os.environ, "PGPASSWORD": self.password}
        command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host]
        command += ["-p", str(self.port), "-U", self.user, "-d", "postgres", "-c", sql]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"psql {sql!r}: {done.stderr.strip()}")

    def create_database(self) -> Postgres:
        name = f"shotlist_lake_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.psql(f'create database "{name}"')
        return Postgres(self.host, self.port, self.user, self.password, name)

    def drop_database(self) -> None:
        self.psql(f'drop database if exists "{self.database}" with (force)')


@dataclass(frozen=True)
class S3Server:
    """moto's standalone S3 server on a loopback port, with one bucket."""

    host: str
    port: int
    bucket: str

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def create_bucket(self) -> None:
        # moto does not check signatures: a plain PUT creates the bucket.
        response = httpx.put(f"{self.endpoint}/{self.bucket}", timeout=10)
        response.raise_for_status()
