-- One row per product in scope: what its guideline expects and what current deliverables
-- linked to it reach. A deliverable counts once for every product it is linked to.
with products as (
    select * from marts.products
    where in_scope
),

guidelines as (
    select * from intermediate.product_guidelines
),

links as (
    select * from intermediate.deliverable_products
),

deliverables as (
    select * from intermediate.deliverables
),

-- Image counts, and the views a validated image shows (one pass over the links).
counts as (
    select
        links.source,
        links.product_key,
        count(*) as current_images,
        count(*) filter (where deliverables.coverage_bucket = 'captured') as captured_images,
        count(*) filter (where deliverables.coverage_bucket = 'in_progress') as in_progress_images,
        count(*) filter (where deliverables.coverage_bucket = 'validated') as validated_images,
        list(distinct deliverables.view_type) filter (
            where deliverables.coverage_bucket = 'validated'
                and deliverables.view_type is not null
        ) as validated_views
    from links
    inner join deliverables
        on deliverables.source = links.source
        and deliverables.deliverable_key = links.deliverable_key
    group by all
),

joined as (
    select
        products.source,
        products.product_key,
        products.label,
        products.brand,
        products.collection,
        products.category_path as category,
        products.shotlist,
        guidelines.guideline_name as guideline,
        guidelines.guideline_origin,
        guidelines.expected_images,
        coalesce(counts.current_images, 0) as current_images,
        coalesce(counts.captured_images, 0) as captured_images,
        coalesce(counts.in_progress_images, 0) as in_progress_images,
        coalesce(counts.validated_images, 0) as validated_images,
        guidelines.required_views,
        -- The required views (in the guideline's order) no validated image shows.
        case
            when guidelines.product_key is not null then coalesce(
                list_filter(
                    guidelines.required_views,
                    view_type -> not coalesce(
                        list_contains(counts.validated_views, view_type), false
                    )
                ),
                []
            )
        end as missing_views,
        products.product_ref
    from products
    left join guidelines
        on guidelines.source = products.source
        and guidelines.product_key = products.product_key
    left join counts
        on counts.source = products.source
        and counts.product_key = products.product_key
),

-- The coverage formula, once: the images that count towards the guideline (validated ones,
-- at most as many as expected) over the images expected. Every coverage figure of the marts
-- and the report is sum(covered_images) / sum(expected_images) over some set of products.
covered as (
    select
        *,
        case
            when expected_images > 0 then least(validated_images, expected_images)
        end as covered_images
    from joined
),

final as (
    select
        source,
        product_key,
        label,
        brand,
        collection,
        category,
        shotlist,
        guideline,
        guideline_origin,
        expected_images,
        captured_images,
        in_progress_images,
        validated_images,
        -- greatest() skips NULLs: without a guideline nothing is missing, it is unknown.
        case
            when expected_images is not null then greatest(expected_images - validated_images, 0)
        end as missing_images,
        covered_images / expected_images as coverage_pct,
        required_views,
        missing_views,
        case
            when guideline is null then 'no_guideline'
            when validated_images >= expected_images then 'complete'
            when current_images = 0 then 'not_started'
            else 'in_progress'
        end as coverage_status,
        current_images,
        covered_images,
        product_ref
    from covered
)

select * from final
