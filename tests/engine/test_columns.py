"""Column-wise validation gives the rows and quarantine that a model per record gives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from pydantic import AliasChoices, Field, field_validator, model_validator

from etl.engine.columns import ColumnValidator
from etl.engine.records import Record
from etl.engine.rows import RowBuilder
from etl.simulators.grandshooting import CatalogSpec, generate_catalog
from etl.sources.grandshooting import records
from etl.sources.grandshooting.source import SOURCE

SYNCED = datetime(2026, 1, 2, 3, 4, 5)


def both_ways(model: type[Record], page: list[Any]) -> tuple[Any, Any]:
    """(column-wise result, model-per-record result) of the same page."""
    by_column = RowBuilder(model, ("k",), "account_id", 7, "run")
    by_model = RowBuilder(model, ("k",), "account_id", 7, "run")
    by_model._by_column = None
    assert by_column._by_column is not None
    return (
        (by_column.build_columns(page, SYNCED), by_column.drift),
        (by_model.build_columns(page, SYNCED), by_model.drift),
    )


def test_columns_match_models_on_every_simulated_resource() -> None:
    catalog = generate_catalog(CatalogSpec(references=40, seed=3))
    for resource in SOURCE.resources:
        if resource.nested is not None or resource.parent is not None:
            continue
        rows = catalog.records(resource.name)
        assert rows, resource.name
        for start in range(0, len(rows), 100):
            page = rows[start : start + 100]
            column_wise, model_wise = both_ways(resource.model, page)
            assert column_wise == model_wise, resource.name


@pytest.mark.parametrize(
    "value", [7, 7.0, 7.5, "x7", True, None, [1]], ids=lambda v: f"reference_id={v!r}"
)
def test_columns_match_models_on_field_validators(value: Any) -> None:
    page = [{"picture_id": 1}, {"picture_id": 2, "reference_id": value}]
    column_wise, model_wise = both_ways(records.Picture, page)
    assert column_wise == model_wise


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-02",
        "02/01/2026",
        "02/01/2026 10:11:12",
        "2026-01-02 10:11:12",
        "2026-01-02T10:11:12.123456789Z",
        "2026-01-02T10:11:12+02:00",
        "",
        None,
        "not a date",
        20260102,
    ],
)
def test_columns_match_models_on_dates(value: Any) -> None:
    page = [
        {"picture_id": 1, "date_mod": "2026-01-01T00:00:00Z"},
        {"picture_id": 2, "date_mod": value},
    ]
    column_wise, model_wise = both_ways(records.Picture, page)
    assert column_wise == model_wise


def test_columns_match_models_on_aliases_missing_keys_and_bad_records() -> None:
    pages: list[list[Any]] = [
        # The API's `account_id` lands in `account_id_api`; its field name is accepted too.
        [{"bench_id": 1, "account_id": 5}, {"bench_id": 2, "account_id_api": 6}],
        [{"bench_id": 1, "account_id": 5, "account_id_api": 6}],
        # A required key missing, or null: quarantined, the rest of the page kept.
        [{"bench_id": 1}, {"smalltext": "no key"}, {"bench_id": None}, {"bench_id": 4}],
        # Not an object at all.
        [{"bench_id": 1}, None, ["x"], {"bench_id": "2"}],
        # Unknown fields: kept in _raw, reported as drift.
        [{"bench_id": 1, "new_field": {"a": 1}}, {"bench_id": 2, "other": None}],
        [],
    ]
    for page in pages:
        column_wise, model_wise = both_ways(records.Bench, page)
        assert column_wise == model_wise, page


def test_columns_match_models_for_a_typed_non_null_field_with_a_none_default() -> None:
    class Loose(Record):
        k: int
        name: str = None  # type: ignore[assignment]

    # Missing is the default (None); an explicit null fails the type, as with the model.
    column_wise, model_wise = both_ways(Loose, [{"k": 1}, {"k": 2, "name": None}])
    assert column_wise == model_wise
    assert [q[0] for q in column_wise[0][1]] == ["[2]"]


def test_columns_are_not_used_when_only_the_model_can_validate() -> None:
    class Checked(Record):
        k: int

        @model_validator(mode="after")
        def _check(self) -> Checked:
            return self

    class Reads(Record):
        k: int
        j: int | None = None

        @field_validator("j")
        @classmethod
        def _after_k(cls, value: Any, info: Any) -> Any:
            return value

    class Defaults(Record):
        k: int = 3

    class Choices(Record):
        k: int = Field(validation_alias=AliasChoices("k", "key"))

    for model in (Checked, Reads, Defaults, Choices):
        assert ColumnValidator.of(model) is None, model.__name__
