-- Which products each Sartiq shooting is meant to shoot.
with source as (
    select * from raw.sartiq__main_products
    where _deleted_at is null
),

renamed as (
    select
        organization_id,
        shooting_id,
        id as product_id
    from source
)

select * from renamed
