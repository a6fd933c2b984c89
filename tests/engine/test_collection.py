"""The sync's garbage-collector setting is scoped to the sync."""

from __future__ import annotations

import gc

import pytest

from etl.engine.collection import fewer_collections


def test_fewer_collections_raises_the_young_threshold_and_restores_it() -> None:
    before = gc.get_threshold()
    with fewer_collections(50_000):
        assert gc.get_threshold() == (50_000, *before[1:])
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_collections(50_000):
        raise RuntimeError("a failed sync")
    assert gc.get_threshold() == before
