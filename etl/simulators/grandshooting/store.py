"""One account's data as the simulator serves it, and the filterable fields of each resource."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from etl.simulators.grandshooting.filters import Kind
from etl.simulators.grandshooting.table import Row, Table

N, S, D = Kind.NUMBER, Kind.STRING, Kind.DATE

# The query parameters the spec documents for GET /picture, with how they compare.
PICTURE_FIELDS: dict[str, Kind] = {
    "picture_id": N, "bench_id": N, "bench_root_id": N, "benchsteptype": N, "benchstatus": N,
    "ref": S, "reference_ref": S, "path": S, "file_path": S, "smalltext": S,
    "picturestatus": N, "filesize": N, "width": N, "height": N, "reference_id": N,
    "parent_id": N, "icc_profile": S, "thumbnail": S, "hash": S, "file_id": S,
    "view_type_code": S, "transfer_date": D, "date_cre": D, "date_mod": D,
    "validation_date": D, "export": S, "exportpicturestatus": N, "shootingmethod": S,
    "look_id": N, "alerts": Kind.STRINGS, "taginfo.tags": Kind.OBJECT, "taginfo.label": S,
    "taginfo.rating": N, "reference_ids": Kind.NUMBERS, "refs": Kind.STRINGS,
    "child_ids": Kind.NUMBERS, "looks": Kind.OBJECT,
}  # fmt: skip

# The query parameters the spec documents for GET /reference.
REFERENCE_FIELDS: dict[str, Kind] = {
    "reference_id": N, "ref": S, "ean": S, "eans": Kind.STRINGS, "eans_extended": Kind.OBJECT,
    "univers": S, "gamme": S, "family": S, "sku": S, "brand": S, "smalltext": S,
    "category_id": N, "product_ref": S, "product_smalltext": S, "gender": S,
    "gender_smalltext": S, "color": S, "hexa_color": S, "size": S, "collection": S,
    "comment": S, "tags": Kind.STRINGS, "extra": Kind.OBJECT, "shotlist_id": N, "shotlist": S,
    "date_cre": D, "date_mod": D, "online": S,
}  # fmt: skip

# The query parameters the spec documents for GET /production (`archived` is handled apart).
BENCH_FIELDS: dict[str, Kind] = {
    "smalltext": S, "startdate": D, "enddate": D, "timezone": S, "tzoffset": N,
    "shooting_method_id": N, "bench_id": N, "parent_id": N, "root_id": N, "ext_lib_id": S,
    "meta_export_info": S, "briefing": S, "location": Kind.OBJECT, "benchsteptype": N,
    "benchaccess": N, "benchstatus": N, "info": Kind.OBJECT, "info_model": Kind.OBJECT,
    "step_label": S,
}  # fmt: skip

PICTURE_KEY = "picture_id"
REFERENCE_KEY = "reference_id"


@dataclass
class AccountData:
    """Everything one account holds. `account_id` is the delegation id (0: the token's own
    account); `api_account_id` is the number the API itself prints on benches."""

    account_id: int
    api_account_id: int
    shooting_methods: list[Row]
    productions: list[list[Row]]
    formats: list[Row]
    categories: list[Row]
    folders: list[Row]
    looks: list[Row]
    look_references: dict[int, list[Row]]
    references: Table
    pictures: Table
    # False for accounts on API 3.0: no /specification/category endpoint (404).
    guidelines: bool = True
    # Drives the mutation API (new rows, churn) so a sequence of calls is reproducible.
    rng: random.Random = field(default_factory=random.Random)
    extras: dict[str, Any] = field(default_factory=dict)

    def benches(self) -> list[Row]:
        return [bench for production in self.productions for bench in production]

    def production(self, root_id: int) -> list[Row] | None:
        for production in self.productions:
            if production and production[0]["root_id"] == root_id:
                return production
        return None
