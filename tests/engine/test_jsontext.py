"""Records and JSON values as text: orjson's, and pydantic's where orjson would differ."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pydantic import BaseModel
from pydantic_core import to_json

from etl.engine.jsontext import compact_json
from etl.simulators.grandshooting import CatalogSpec, generate_catalog


class Shot(BaseModel):
    taken: datetime
    views: int


def test_api_records_are_written_as_pydantic_wrote_them() -> None:
    catalog = generate_catalog(CatalogSpec(references=40, seed=7))
    records = catalog.records("pictures") + catalog.records("references")
    odd = {"név": 'é"\\\u2028', "n": [1.5, -0.0, None, True], "deep": {"a": [{}, []]}}
    for record in [*records, odd]:
        assert compact_json(record) == to_json(record).decode()
    assert json.loads(compact_json(odd)) == odd


def test_values_orjson_would_write_otherwise_go_to_pydantic() -> None:
    # A time, a model, an integer beyond 64 bits: exactly pydantic's text, nothing lost.
    value = {"at": datetime(2026, 12, 6, 9, 30, tzinfo=UTC), "id": 2**70}
    assert compact_json(value) == '{"at":"2026-12-06T09:30:00Z","id":1180591620717411303424}'
    shot = Shot(taken=datetime(2026, 1, 2, 3, 4, 5), views=3)
    assert (
        compact_json([shot])
        == to_json([shot]).decode()
        == '[{"taken":"2026-01-02T03:04:05","views":3}]'
    )
