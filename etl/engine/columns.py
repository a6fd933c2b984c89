"""Validating a page column by column with a record model's own field validators.

Building a model instance per record costs about two thirds of a page's validation (a Picture
has 37 fields): the same values come out of one validator call per column, each made from the
field's own core schema (its type, its `field_validator`s, the model's config), so a value is
accepted and converted exactly as the model would. Only the plain case is taken this way: a
model with model validators, validators that read other fields, aliases other than one name, or
defaults other than None gets None from `ColumnValidator.of` and is validated record by record.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat
from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator, ValidationError, core_schema

# (field name, the key the API sends it under, the other accepted key or None, required, the
# validator of a list of its values)
_Field = tuple[str, str, str | None, bool, SchemaValidator]


class ColumnValidator:
    """The declared fields of a page of records, validated one column per call."""

    def __init__(self, fields: list[_Field]) -> None:
        self._fields = fields

    @classmethod
    def of(cls, model: type[BaseModel]) -> ColumnValidator | None:
        """The column validator of `model`, or None when only the model can validate it."""
        schema: dict[str, Any] = dict(model.__pydantic_core_schema__)
        if schema.get("type") != "model" or schema.get("custom_init") or schema.get("post_init"):
            return None
        inner = schema["schema"]
        if inner.get("type") != "model-fields" or inner.get("computed_fields"):
            return None
        config: core_schema.CoreConfig = schema.get("config") or core_schema.CoreConfig()
        by_name = bool(config.get("validate_by_name"))
        if config.get("validate_by_alias") is False:
            return None
        fields: list[_Field] = []
        for name, field in inner["fields"].items():
            alias = field.get("validation_alias")
            if alias is not None and not isinstance(alias, str):
                return None  # AliasPath / AliasChoices
            value_schema = field["schema"]
            required = value_schema.get("type") != "default"
            if not required:
                if (
                    value_schema.get("default") is not None
                    or "default_factory" in value_schema
                    or value_schema.get("on_error", "raise") != "raise"
                ):
                    return None
                value_schema = value_schema["schema"]
            if _reads_other_fields(value_schema):
                return None
            try:
                validator = SchemaValidator(core_schema.list_schema(value_schema), config)
            except Exception:  # a schema that needs the model's definitions: not this way
                return None
            key = alias or name
            other = name if alias and by_name and alias != name else None
            fields.append((name, key, other, required, validator))
        return cls(fields)

    def validate(self, page: Sequence[dict[str, Any]]) -> dict[str, list[Any]] | None:
        """Each declared field's values in page order (a missing one is None, its default);
        None when a value fails or a required field is missing: the caller then validates
        record by record, to tell which records are bad and why."""
        columns: dict[str, list[Any]] = {}
        for name, key, other, required, validator in self._fields:
            if other is None:
                if required and any(key not in record for record in page):
                    return None
                # `map` over the C method: no interpreted loop per record.
                values = list(map(dict.get, page, repeat(key)))
            else:
                if required and any(key not in r and other not in r for r in page):
                    return None
                values = [r[key] if key in r else r.get(other) for r in page]
            try:
                columns[name] = validator.validate_python(values)
            except ValidationError:
                return None
        return columns


def _reads_other_fields(schema: Any) -> bool:
    """True when a validator in `schema` takes validation info (it may read other fields)."""
    if isinstance(schema, dict):
        if schema.get("type") == "with-info":
            return True
        return any(_reads_other_fields(value) for value in schema.values())
    if isinstance(schema, list | tuple):
        return any(_reads_other_fields(value) for value in schema)
    return False
