-- Grand Shooting references in the shape every source gives intermediate.products.
-- product_key is the reference's `ref` (the catalog's business key); when several accounts
-- hold the same ref, the first account's reference describes it.
with catalog as (
    select * from staging.grandshooting__references
),

one_per_ref as (
    select *
    from catalog
    qualify row_number() over (partition by ref order by account_id, reference_id) = 1
),

shaped as (
    select
        'grandshooting' as source,
        ref as product_key,
        label,
        brand,
        collection,
        univers,
        gamme,
        family,
        nullif(concat_ws(' > ', univers, gamme, family), '') as category_path,
        color,
        size,
        gender,
        shotlist,
        cast(shotlist_id as varchar) as shotlist_id,
        case
            when category_id is not null
                then cast(account_id as varchar) || ':' || cast(category_id as varchar)
        end as source_guideline_key
    from one_per_ref
)

select * from shaped
