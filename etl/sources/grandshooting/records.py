"""Pydantic models of Grand Shooting records (API 3.3.1 spec): the typed columns of raw tables.

Every field of the vendor's spec is declared. Enumerations are plain ints/strings so an unknown
value from the API is stored as it came. Fields the spec does not know are kept in the raw JSON
and reported as schema drift, never fatal.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from etl.engine.records import ApiDateTime, Record


class Picture(Record):
    picture_id: int
    bench_id: int | None = None
    bench_root_id: int | None = None
    benchsteptype: int | None = None
    benchstatus: int | None = None
    ref: str | None = None
    reference_ref: str | None = None
    path: str | None = None
    file_path: str | None = None
    smalltext: str | None = None
    picturestatus: int | None = None
    filesize: int | None = None
    width: int | None = None
    height: int | None = None
    reference_id: str | None = None
    reference_ids: list[Any] | None = None
    refs: list[Any] | None = None
    looks: list[dict[str, Any]] | None = None
    parent_id: int | None = None
    child_ids: list[int] | None = None
    icc_profile: str | None = None
    thumbnail: str | None = None
    hash: str | None = None
    file_id: str | None = None
    view_type_code: str | None = None
    transfer_date: ApiDateTime | None = None
    date_cre: ApiDateTime | None = None
    date_mod: ApiDateTime | None = None
    validation_date: ApiDateTime | None = None
    frame: dict[str, Any] | None = None
    export: str | None = None
    exportpicturestatus: int | None = None
    taginfo: dict[str, Any] | None = None
    shootingmethod: str | None = None
    look_id: int | None = None
    alerts: list[str] | None = None

    @field_validator("reference_id", mode="before")
    @classmethod
    def _reference_id_as_text(cls, value: Any) -> Any:
        # The spec allows a number or a string depending on the endpoint: store one type.
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return str(int(value)) if float(value).is_integer() else str(value)
        return value


class Reference(Record):
    reference_id: int
    ref: str
    ean: str | None = None
    eans: list[Any] | None = None
    eans_extended: list[Any] | None = None
    univers: str | None = None
    gamme: str | None = None
    family: str | None = None
    sku: str | None = None
    brand: str | None = None
    smalltext: str | None = None
    category_id: int | None = None
    product_ref: str | None = None
    product_smalltext: str | None = None
    gender: str | None = None
    gender_smalltext: str | None = None
    color: str | None = None
    hexa_color: str | None = None
    size: str | None = None
    collection: str | None = None
    comment: str | None = None
    tags: list[Any] | None = None
    extra: dict[str, Any] | None = None
    shotlist_id: int | None = None
    shotlist: str | None = None
    date_cre: ApiDateTime | None = None
    date_mod: ApiDateTime | None = None
    # Seen as dd/mm/yyyy and yyyy-mm-dd: kept as the text the API sent.
    online: str | None = None


class Bench(Record):
    bench_id: int
    # The bench carries the API's own `account_id`; the warehouse column of that name is the
    # account the extract ran for, so the API's value lands in `account_id_api`.
    account_id_api: int | None = Field(default=None, alias="account_id")
    root_id: int | None = None
    parent_id: int | None = None
    smalltext: str | None = None
    startdate: ApiDateTime | None = None
    enddate: ApiDateTime | None = None
    timezone: str | None = None
    tzoffset: int | None = None
    shooting_method_id: int | None = None
    ext_lib_id: str | None = None
    meta_export_info: str | None = None
    briefing: str | None = None
    location: Any = None
    benchsteptype: int | None = None
    benchaccess: int | None = None
    benchstatus: int | None = None
    info: Any = None
    info_model: list[Any] | None = None
    step_label: str | None = None
    archived: bool | None = None


class ShootingMethod(Record):
    shooting_method_id: int
    shootingmethod: str | None = None


class Look(Record):
    look_id: int
    name: str | None = None
    description: str | None = None
    folder_id: int | None = None
    status: str | None = None
    thumbnail: str | None = None


class LookReference(Record):
    look_reference_id: int
    look_id: int
    ref: str | None = None
    reference_id: int | None = None
    main: bool | None = None


class SpecificationFormat(Record):
    format_id: int
    smalltext: str | None = None
    background_color: str | None = None
    description: str | None = None
    file_format: str | None = None
    sample_filename: str | None = None
    height: int | None = None
    width: int | None = None
    icc_profile: str | None = None
    max_file_size: float | None = None
    max_width: int | None = None
    authorize_max_width: bool | None = None
    position: str | None = None
    resolution: float | None = None
    border_strategy: dict[str, Any] | None = None


class SpecificationCategory(Record):
    category_id: int
    smalltext: str | None = None
    ranking: float | None = None
    keywords: list[Any] | None = None
    # Nested view types and their formats are kept whole; staging unnests them.
    view_types: list[dict[str, Any]] | None = None


__all__ = [
    "Bench",
    "Look",
    "LookReference",
    "Picture",
    "Reference",
    "ShootingMethod",
    "SpecificationCategory",
    "SpecificationFormat",
]
