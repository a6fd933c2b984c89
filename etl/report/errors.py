"""Errors of the report: bad filters, missing marts, SMTP failures; each one line for a person."""

from __future__ import annotations

from etl.errors import ShotlistError


class ReportError(ShotlistError):
    """The report cannot be produced as asked (unknown profile, bad filter, no marts yet)."""


class SendError(ReportError):
    """The message could not be handed to the SMTP server (connection, TLS or authentication)."""
