"""Pydantic models of Sartiq records (backend API 0.1.0): the typed columns of raw tables.

Enumerations (phase, status keys, push status, gender...) are plain strings: the docs list few
values and an unknown one is stored as it came. Everything but the id is optional, so a record
with a missing field is landed rather than quarantined; nested objects are JSON columns.
The API's own `organization_id` lands in `organization_id_api`: the warehouse column of that
name is the scope the extract ran for (`personal` for records without an organisation).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from etl.engine.records import ApiDateTime, Record


class Product(Record):
    id: str
    sku: str | None = None
    name: str | None = None
    brand: str | None = None
    master_item_code: str | None = None
    product_family: str | None = None
    product_type: str | None = None
    product_type_id: str | None = None
    gender: str | None = None
    age_class: str | None = None
    placement: str | None = None
    zone: str | None = None
    type: str | None = None
    category: str | None = None
    sleeve_type: str | None = None
    neckline: str | None = None
    closure_type: str | None = None
    fit_type: str | None = None
    length_type: str | None = None
    pattern: str | None = None
    materials: str | None = None
    colour: str | None = None
    color_name: str | None = None
    color_code: str | None = None
    style_group_id: str | None = None
    season: str | None = None
    year: int | None = None
    style_code: str | None = None
    in_store_date: ApiDateTime | None = None
    theme: str | None = None
    brand_collection: str | None = None
    description: str | None = None
    back_description: str | None = None
    ecommerce_description: str | None = None
    brand_metadata: dict[str, Any] | None = None
    cover_image_url: str | None = None
    back_image_url: str | None = None
    reference_images: list[Any] | None = None
    cover_image_media: dict[str, Any] | None = None
    back_image_media: dict[str, Any] | None = None
    reference_images_media: list[Any] | None = None
    color_swatch_media: dict[str, Any] | None = None
    data_image_urls: list[Any] | None = None
    public: bool | None = None
    enabled: bool | None = None
    archived: bool | None = None
    demo: bool | None = None
    is_filler: bool | None = None
    incomplete: bool | None = None
    deleted_at: ApiDateTime | None = None
    owner_id: str | None = None
    organization_id_api: str | None = Field(default=None, alias="organization_id")
    shot_status: str | None = None
    shot_status_production_request_id: str | None = None
    shot_status_shooting_look_id: str | None = None
    integration_name: str | None = None
    exports_completed: int | None = None
    exports_total: int | None = None
    shots: list[Any] | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class ShootingProduct(Product):
    """A main or sample product of a shooting: the product, and the shooting it was read for."""

    shooting_id: str


class Shooting(Record):
    id: str
    name: str | None = None
    description: str | None = None
    brand: str | None = None
    season: str | None = None
    collection: str | None = None
    due_date: ApiDateTime | None = None
    owner_id: str | None = None
    organization_id_api: str | None = Field(default=None, alias="organization_id")
    public: bool | None = None
    archived: bool | None = None
    phase: str | None = None
    require_test_shooting: bool | None = None
    shooting_type_id: str | None = None
    shooting_type: dict[str, Any] | None = None
    default_guidelines_id: str | None = None
    # Shot types, rule groups, subjects...: kept whole, staging unnests them.
    default_guidelines: dict[str, Any] | None = None
    shot_status: str | None = None
    status: str | None = None
    deleted_at: ApiDateTime | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class Look(Record):
    """A production request: one product (and subject) to shoot in a shooting."""

    id: str
    shooting_id: str | None = None
    subject_id: str | None = None
    subject_name: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    product_sku: str | None = None
    product_cover_image_url: str | None = None
    style_id: str | None = None
    resolution_preset_id: str | None = None
    width: int | None = None
    height: int | None = None
    background_preset_id: str | None = None
    set_design_id: str | None = None
    set_design: dict[str, Any] | None = None
    export_configuration_id: str | None = None
    readiness: str | None = None
    shot_status: str | None = None
    status: str | None = None
    assignee_id: str | None = None
    assignee: dict[str, Any] | None = None
    pose_presets: list[Any] | None = None
    generative_workflow_template_id: str | None = None
    use_subject_mannequin_double: bool | None = None
    outfit_id: str | None = None
    outfit: dict[str, Any] | None = None
    outfit_proposals: list[Any] | None = None
    outfit_ref_imgs_urls: list[Any] | None = None
    outfit_instruction: str | None = None
    outfit_product_ids: list[Any] | None = None
    # Shots land in their own table too; the copy here is what the API sent.
    shots: list[Any] | None = None
    deleted_at: ApiDateTime | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class Shot(Record):
    id: str
    production_request_id: str | None = None
    shooting_look_id: str | None = None
    shot_type: dict[str, Any] | None = None
    pose_preset_id: str | None = None
    rework_available: int | None = None
    rework_used: int | None = None
    status: str | None = None
    current_revision_id: str | None = None
    revisions: list[Any] | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class Revision(Record):
    id: str
    shot_id: str | None = None
    version: int | None = None
    display_name: str | None = None
    notes: str | None = None
    shot_status: str | None = None
    shot_revision_status: str | None = None
    owner_id: str | None = None
    owner: dict[str, Any] | None = None
    previous_revision_id: str | None = None
    effective_image_url: str | None = None
    push_status: str | None = None
    images: list[Any] | None = None
    push_records: list[Any] | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class RevisionImage(Record):
    id: str
    shot_revision_id: str | None = None
    source_type: str | None = None
    prediction_id: str | None = None
    refine_id: str | None = None
    image_url: str | None = None
    sketch_image_url: str | None = None
    image_media: dict[str, Any] | None = None
    sketch_image_media: dict[str, Any] | None = None
    effective_image_url: str | None = None
    notes: str | None = None
    autogenerated: bool | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class PushRecord(Record):
    """One push of a revision to the client's DAM; the API nests it without a revision id."""

    id: str
    shot_revision_id: str | None = None
    integration_id: str | None = None
    push_status: str | None = None
    pushed_at: ApiDateTime | None = None
    completed_at: ApiDateTime | None = None
    error_message: str | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class Production(Record):
    id: str
    shooting_id: str | None = None
    kind: str | None = None
    archived: bool | None = None
    guidelines_id: str | None = None
    deleted_at: ApiDateTime | None = None
    created_at: ApiDateTime | None = None
    updated_at: ApiDateTime | None = None


class StatusDefinition(Record):
    """A status a shooting's shots can take, ordered worst to best by `sorting`."""

    shooting_id: str
    id: str
    key: str | None = None
    label: str | None = None
    sorting: int | None = None


__all__ = [
    "Look",
    "Product",
    "Production",
    "PushRecord",
    "Revision",
    "RevisionImage",
    "Shooting",
    "ShootingProduct",
    "Shot",
    "StatusDefinition",
]
