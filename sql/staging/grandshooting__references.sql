-- Grand Shooting catalog references (a product in one colour: the item to photograph).
with source as (
    select * from raw.grandshooting__references
),

renamed as (
    select
        account_id,
        reference_id,
        ref,
        smalltext as label,
        brand,
        collection,
        univers,
        gamme,
        family,
        category_id,
        color,
        size,
        coalesce(gender_smalltext, gender) as gender,
        shotlist_id,
        shotlist,
        product_ref,
        ean,
        date_cre as created_at,
        date_mod as modified_at
    from source
    where _deleted_at is null
)

select * from renamed
