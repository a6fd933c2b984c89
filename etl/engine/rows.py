"""The boundary where API records become rows: validated, typed, stamped; bad ones quarantined."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from etl.engine.columns import ColumnValidator
from etl.engine.jsontext import compact_json
from etl.engine.records import Record
from etl.warehouse.tables import Columns, record_columns

# (record key as JSON, one-line reason, the record as JSON)
Quarantined = tuple[str, str, str]


def _json_texts(values: list[Any]) -> list[str | None]:
    # The same compact, non-ASCII-as-is text as `etl.warehouse.tables.json_text`, several times
    # quicker than `json.dumps` (four JSON columns per picture).
    return [None if value is None else compact_json(value) for value in values]


class RowBuilder:
    """Turns one resource's records into landing rows for one scope and run.

    Rows are built column by column (`Columns`: a list of values per column, JSON columns as
    text), the shape an Arrow batch is made of, so no dict per row is kept while a batch fills.
    Fields the model does not declare are kept in `_raw` and remembered in `drift` (first
    value seen), so schema drift is reported once per run instead of failing the page.
    """

    def __init__(
        self,
        model: type[Record],
        key_fields: Sequence[str],
        scope_column: str,
        scope_value: Any,
        run_id: str,
    ) -> None:
        self.model = model
        self.key_fields = tuple(key_fields)
        self.scope_column = scope_column
        self.scope_value = scope_value
        self.run_id = run_id
        self.names = list(model.model_fields)
        self.api_fields = model.api_field_names()
        self.drift: dict[str, Any] = {}
        self._page = TypeAdapter(list[model])  # type: ignore[valid-type]
        # One validator call per column instead of a model per record, when the model allows.
        self._by_column = ColumnValidator.of(model)
        # Declared fields landing as columns (the scope column is the extract's, not the API's).
        layout = [(n, kind) for n, kind in record_columns(model) if n != scope_column]
        self._plain = [n for n, kind in layout if kind != "JSON"]
        self._json = [n for n, kind in layout if kind == "JSON"]

    def key_of(self, record: dict[str, Any]) -> str:
        return json.dumps([record.get(k) for k in self.key_fields], default=str)

    def build_columns(
        self,
        records: Sequence[Any],
        synced_at: datetime,
        inherit: dict[str, Any] | None = None,
    ) -> tuple[Columns, list[Quarantined]]:
        """Validate a page into columns; `inherit` adds parent columns the API leaves out.

        The page is validated one column per call with the model's own field validators
        (`ColumnValidator`), or in one call as a list of models when the model needs that;
        only a page with a bad record is validated again record by record, to quarantine
        that one and load the rest.
        """
        bad: list[Quarantined] = []
        page: list[Any] = []
        all_dicts = True
        for record in records:
            if isinstance(record, dict):
                if inherit:
                    record = {**inherit, **record}
                # A subset test allocates nothing: most records have no unknown field.
                if not record.keys() <= self.api_fields:
                    for name in record.keys() - self.api_fields:
                        self.drift.setdefault(name, record[name])
            else:
                all_dicts = False
            page.append(record)
        by_column = None
        if self._by_column is not None and all_dicts:
            by_column = self._by_column.validate(page)
        if by_column is not None:
            good: list[Any] = page
            columns: Columns = {name: by_column[name] for name in self._plain}
            for name in self._json:
                columns[name] = _json_texts(by_column[name])
            count = len(page)
        else:
            try:
                items: list[Record] = self._page.validate_python(page)
                good = page
            except ValidationError:
                items, good = self._one_by_one(page, bad)
            # Declared fields only (extras live apart, in `__pydantic_extra__`), by field name.
            values = [item.__dict__ for item in items]
            columns = {name: [v[name] for v in values] for name in self._plain}
            for name in self._json:
                columns[name] = _json_texts([v[name] for v in values])
            count = len(values)
        columns[self.scope_column] = [self.scope_value] * count
        # The record as the API sent it (plus inherited columns): the unknown fields stay in it.
        columns["_raw"] = list(map(compact_json, good))
        columns["_synced_at"] = [synced_at] * count
        columns["_run_id"] = [self.run_id] * count
        columns["_deleted_at"] = [None] * count
        return columns, bad

    def build(
        self,
        records: Sequence[Any],
        synced_at: datetime,
        inherit: dict[str, Any] | None = None,
    ) -> tuple[list[dict[str, Any]], list[Quarantined]]:
        """`build_columns` as one dict per row (JSON columns as text), for callers that sort
        or edit rows one by one (webhook changes)."""
        columns, bad = self.build_columns(records, synced_at, inherit)
        names = list(columns)
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        return rows, bad

    def _one_by_one(
        self, records: list[Any], bad: list[Quarantined]
    ) -> tuple[list[Record], list[dict[str, Any]]]:
        """The valid records of a page that had a bad one, each bad one quarantined in order."""
        items: list[Record] = []
        kept: list[dict[str, Any]] = []
        for record in records:
            if not isinstance(record, dict):
                bad.append(("null", f"expected an object, got {type(record).__name__}", "null"))
                continue
            try:
                items.append(self.model.model_validate(record))
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "record"
                reason = f"{where}: {first['msg']}"
                bad.append((self.key_of(record), reason, json.dumps(record, default=str)))
                continue
            kept.append(record)
        return items, kept
