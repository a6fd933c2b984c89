-- One row per snapshot day of marts.coverage_history and scope cell of the products in scope
-- now (their brand, collection, category and guideline today, so a filtered report compares
-- the same products week after week). Products no longer in scope are left out.
with history as (
    select * from marts.coverage_history
),

coverage as (
    select * from marts.shotlist_coverage
),

cells as (
    select
        history.snapshot_date,
        coverage.source,
        coverage.brand,
        coverage.collection,
        coverage.category,
        coverage.guideline,
        count(*) as products,
        sum(history.expected_images) as expected_images,
        -- Snapshots taken before covered_images was recorded: read back from coverage_pct.
        sum(
            coalesce(
                history.covered_images,
                cast(round(history.coverage_pct * history.expected_images) as bigint)
            )
        ) as covered_images,
        sum(history.validated_images) as validated_images,
        sum(history.missing_images) as missing_images,
        -- NULL when no product of the cell had the count recorded that day.
        sum(history.open_alerts) as open_alerts,
        sum(history.for_approval_images) as for_approval_images
    from history
    inner join coverage
        on coverage.source = history.source
        and coverage.product_key = history.product_key
    group by all
)

select * from cells
