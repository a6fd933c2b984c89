"""Exceptions the library raises; the CLI turns each into one line and an exit code."""

from __future__ import annotations


class ShotlistError(Exception):
    """Base class: its message is meant for a person and fits on one line."""


class ConfigError(ShotlistError):
    """The configuration file is missing, malformed, or names something unknown."""


class SecretMissingError(ConfigError):
    """An environment variable that should hold a secret is not set."""


class ApiError(ShotlistError):
    """An API answered with an error that retrying will not fix."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ApiError):
    """The API rejected the credentials (401/403)."""


class TokenRejected(AuthError):
    """The API answered 401 to the client's credentials: the cause is said once per source."""


class UnreachableError(ApiError):
    """The API's host refused the connection or does not resolve: retrying will not help."""


class RetryBudgetExceeded(ApiError):
    """Transient failures went on longer than the retry policy allows."""


class PaginationError(ShotlistError):
    """Paging went wrong: a page repeated, the page cap was hit, or rows went missing."""


class SourceStopped(ShotlistError):
    """Another resource of the source met a rejected token or a dead host: stop this one too."""


class WarehouseLockedError(ShotlistError):
    """Another shotlist process is writing the same warehouse."""
