"""Allows `python -m etl`, the same as the `shotlist` console script."""

from etl.cli import main

main()
