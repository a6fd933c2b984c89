-- One row per image waiting for approval (status group for_approval) whose own product is in
-- scope or that is linked to no product, the set the report's "For approval" tile counts: how
-- long it has waited and in which age bucket, oldest first (age_rank). The platforms do not
-- date status changes, so an image waits since its last modification (modified_at).
with deliverables as (
    select * from marts.deliverables
),

products as (
    select * from marts.products
),

settings as (
    select max(built_at) as built_at from seeds.build_settings
),

waiting as (
    select
        deliverables.source,
        deliverables.deliverable_key,
        coalesce(deliverables.file_name, deliverables.view_type, 'deliverable')
            || ' #' || deliverables.deliverable_key as picture,
        deliverables.production,
        deliverables.product_key,
        coalesce(products.product_ref, deliverables.product_key) as product_ref,
        products.label,
        products.brand,
        products.collection,
        products.category_path as category,
        products.guideline,
        deliverables.status_code,
        deliverables.status_label,
        deliverables.modified_at as waiting_since,
        -- NULL when the platform gives no modification date (bucket 'unknown'), never 0.
        case
            when deliverables.modified_at is not null then greatest(
                date_diff(
                    'day', cast(deliverables.modified_at as date), cast(settings.built_at as date)
                ),
                0
            )
        end as days_waiting
    from deliverables
    cross join settings
    left join products
        on products.source = deliverables.source
        and products.product_key = deliverables.product_key
    where deliverables.status_group = 'for_approval'
        and (coalesce(products.in_scope, false) or deliverables.product_key is null)
),

bucketed as (
    select
        *,
        case
            when days_waiting is null then 'unknown'
            when days_waiting <= 2 then '0-2 days'
            when days_waiting <= 7 then '3-7 days'
            when days_waiting <= 14 then '8-14 days'
            else 'over 14 days'
        end as age_bucket,
        case
            when days_waiting is null then 5
            when days_waiting <= 2 then 1
            when days_waiting <= 7 then 2
            when days_waiting <= 14 then 3
            else 4
        end as age_bucket_order
    from waiting
),

final as (
    select
        *,
        -- Oldest first; ties by when it was last modified, then by key.
        row_number() over (
            order by days_waiting desc nulls last, waiting_since, source, deliverable_key
        ) as age_rank
    from bucketed
)

select * from final
