"""Product records: the catalogue a shooting's looks are made of."""

from __future__ import annotations

from typing import Any

from etl.simulators.sartiq.records import Ids, Json, set_fields


def product(ids: Ids, organization_id: str | None, owner_id: str, **fields: Any) -> Json:
    """A product as `GET /products/` serves it; `fields` override the defaults (`id` too)."""
    now = ids.stamp()
    pid = fields.pop("id", None) or ids.new_id()
    record: Json = {
        "id": pid,
        "created_at": now,
        "updated_at": now,
        "sku": None,
        "name": "Product",
        "brand": None,
        "master_item_code": None,
        "product_family": None,
        "product_type": None,
        "product_type_id": None,
        "gender": "UNISEX",
        "age_class": None,
        "placement": None,
        "zone": None,
        "type": None,
        "category": None,
        "colour": None,
        "season": None,
        "year": None,
        "brand_collection": None,
        "description": None,
        "cover_image_url": f"https://cdn.sartiq.test/{pid}/cover.jpg",
        "back_image_url": f"https://cdn.sartiq.test/{pid}/back.jpg",
        "reference_images": [],
        "data_image_urls": [],
        "public": False,
        "enabled": True,
        "archived": False,
        "demo": False,
        "is_filler": False,
        "incomplete": False,
        "deleted_at": None,
        "owner_id": owner_id,
        "organization_id": organization_id,
        # Computed by the rollup from the product's looks.
        "shot_status": None,
        "shot_status_production_request_id": None,
        "integration_name": None,
        "exports_completed": None,
        "exports_total": None,
        "shots": [],
    }
    set_fields(record, fields, "product")
    return record
