-- Sartiq products, enabled and disabled: the API serves them in two passes (two raw tables).
-- A product that changed side between syncs keeps its latest copy.
with source as (
    select * from raw.sartiq__products
    where _deleted_at is null
    union all by name
    select * from raw.sartiq__products_disabled
    where _deleted_at is null
),

renamed as (
    select
        organization_id,
        id as product_id,
        sku,
        name as product_name,
        brand,
        brand_collection,
        season,
        year,
        colour,
        gender,
        product_type,
        product_family,
        category,
        type as product_kind,
        cover_image_url,
        back_image_url,
        enabled,
        archived,
        shot_status,
        created_at,
        updated_at
    from source
    qualify row_number() over (
        partition by organization_id, id order by updated_at desc nulls last, _synced_at desc
    ) = 1
)

select * from renamed
