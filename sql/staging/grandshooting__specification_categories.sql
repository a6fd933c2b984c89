-- Grand Shooting specification categories (API 3.3+): the guidelines, one row per category.
with source as (
    select * from raw.grandshooting__specification_categories
),

renamed as (
    select
        account_id,
        category_id,
        smalltext as category_name,
        ranking
    from source
    where _deleted_at is null
)

select * from renamed
