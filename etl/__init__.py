"""Shotlist Analytics: product photo production data from studio platforms into DuckDB."""

__version__ = "0.1.0"
