"""The DuckLake warehouse: extensions, configuration and attaching a lake (catalog + data path)."""
