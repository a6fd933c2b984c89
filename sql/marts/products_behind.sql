-- One row per product in scope that its guideline still misses images for, ranked furthest
-- behind first (behind_rank 1): lowest coverage first (0 % first), then the most missing
-- images, then by product_ref. Complete products and products without a guideline are left out.
with coverage as (
    select * from marts.shotlist_coverage
),

workload as (
    select * from marts.product_workload
),

behind as (
    select
        coverage.source,
        coverage.product_key,
        coverage.product_ref,
        coverage.label,
        coverage.brand,
        coverage.collection,
        coverage.category,
        coverage.guideline,
        coverage.expected_images,
        coverage.validated_images,
        coverage.covered_images,
        coverage.missing_images,
        coverage.coverage_pct,
        coverage.coverage_status,
        coverage.missing_views,
        coalesce(workload.open_alerts, 0) as open_alerts,
        coalesce(workload.for_approval_images, 0) as for_approval_images
    from coverage
    left join workload
        on workload.source = coverage.source
        and workload.product_key = coverage.product_key
    where coverage.expected_images > 0
        and coverage.missing_images > 0
),

final as (
    select
        *,
        row_number() over (
            order by coverage_pct, missing_images desc, product_ref, source
        ) as behind_rank
    from behind
)

select * from final
