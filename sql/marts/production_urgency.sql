-- One row per production, ranked by what blocks its delivery (urgency_rank 1 = most urgent):
-- first the images refused or to reshoot (blocked_images, most first), then the oldest image
-- waiting for approval (oldest_waiting_days, longest first), then the images its products
-- still miss (missing_images, most first), then by name. Counts cover the current
-- deliverables whose own product is in scope or that are linked to no product.
with deliverables as (
    select * from marts.deliverables
),

products as (
    select * from marts.products
),

links as (
    select * from marts.deliverable_products
),

coverage as (
    select * from marts.shotlist_coverage
),

backlog as (
    select * from marts.approval_backlog
),

-- Read twice: only the columns its readers use (DuckDB copies a step read more than once).
watched as (
    select
        deliverables.source,
        deliverables.deliverable_key,
        deliverables.production,
        deliverables.status_group,
        deliverables.coverage_bucket
    from deliverables
    left join products
        on products.source = deliverables.source
        and products.product_key = deliverables.product_key
    where coalesce(products.in_scope, false)
        or deliverables.product_key is null
),

statuses as (
    select
        source,
        production,
        count(*) as deliverables,
        count(*) filter (where status_group = 'refused') as refused_images,
        count(*) filter (where status_group = 'reshoot') as reshoot_images,
        count(*) filter (where status_group = 'for_approval') as for_approval_images,
        count(*) filter (where coverage_bucket = 'validated') as validated_images
    from watched
    group by all
),

oldest as (
    select
        source,
        production,
        max(days_waiting) as oldest_waiting_days,
        arg_min(picture, age_rank) as oldest_waiting_picture
    from backlog
    group by all
),

-- The products in scope a production works on (any deliverable of it linked to them), each
-- once, and the images they still miss.
production_products as (
    select distinct
        watched.source,
        watched.production,
        links.product_key
    from watched
    inner join links
        on links.source = watched.source
        and links.deliverable_key = watched.deliverable_key
),

missing as (
    select
        production_products.source,
        production_products.production,
        count(*) as products,
        sum(coverage.missing_images) as missing_images
    from production_products
    inner join coverage
        on coverage.source = production_products.source
        and coverage.product_key = production_products.product_key
    group by all
),

joined as (
    select
        statuses.source,
        statuses.production,
        statuses.deliverables,
        statuses.refused_images,
        statuses.reshoot_images,
        statuses.refused_images + statuses.reshoot_images as blocked_images,
        statuses.for_approval_images,
        oldest.oldest_waiting_days,
        oldest.oldest_waiting_picture,
        statuses.validated_images,
        coalesce(missing.products, 0) as products,
        coalesce(missing.missing_images, 0) as missing_images
    from statuses
    left join oldest
        on oldest.source = statuses.source
        and oldest.production is not distinct from statuses.production
    left join missing
        on missing.source = statuses.source
        and missing.production is not distinct from statuses.production
),

final as (
    select
        *,
        row_number() over (
            order by
                blocked_images desc,
                oldest_waiting_days desc nulls last,
                missing_images desc,
                production nulls last,
                source
        ) as urgency_rank
    from joined
)

select * from final
