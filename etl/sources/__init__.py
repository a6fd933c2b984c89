"""Source declarations: one package per API, each with config.py, records.py and source.py."""
