"""The generic sync engine: HTTP client, rate limiting, paginators, landing into DuckDB."""
