"""The warehouse seam: what the engine asks of a warehouse (`protocol`), and the DuckDB file."""
