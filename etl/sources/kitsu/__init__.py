"""Kitsu (Zou, CGWire's open-source production tracker): projects, shots, assets and tasks."""

from __future__ import annotations

# The config section model lives in this package and `etl.config` imports it: loading
# `etl.config` first keeps that import order valid whichever module is imported first.
import etl.config  # noqa: F401
