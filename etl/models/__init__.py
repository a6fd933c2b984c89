"""SQL models: staging views, intermediate and mart tables, data tests, the analytics file."""

from __future__ import annotations

from etl.models.build import BuildResult, build, run_data_tests
from etl.models.datatests import TestResult
from etl.models.runner import ModelResult

__all__ = ["BuildResult", "ModelResult", "TestResult", "build", "run_data_tests"]
