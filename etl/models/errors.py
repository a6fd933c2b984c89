"""Errors of the modelling layer, each a one-line message naming the file and what is wrong."""

from __future__ import annotations

from etl.errors import ConfigError, ShotlistError


class GuidelineError(ConfigError):
    """The guideline file is missing (when configured) or malformed."""


class SeedError(ConfigError):
    """A seed file (the status map) is malformed."""


class ModelDefinitionError(ShotlistError):
    """The SQL project itself is inconsistent: a cycle, an unknown model, a bad header."""


class BuildFailedError(ShotlistError):
    """A build finished with failed models or error-level data test failures."""


class AnalyticsMissingError(ShotlistError):
    """The published analytics database does not exist yet."""
