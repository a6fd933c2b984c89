-- One row per scope cell (source, brand, collection, category, guideline) of the products in
-- scope: the sums behind every coverage figure of the report. Sum the rows a filter keeps and
-- divide the summed covered_images by the summed expected_images for the coverage of any set.
with coverage as (
    select * from marts.shotlist_coverage
),

workload as (
    select * from marts.product_workload
),

cells as (
    select
        coverage.source,
        coverage.brand,
        coverage.collection,
        coverage.category,
        coverage.guideline,
        count(*) as products,
        sum(coverage.expected_images) as expected_images,
        sum(coverage.covered_images) as covered_images,
        sum(coverage.validated_images) as validated_images,
        sum(coverage.missing_images) as missing_images,
        count(*) filter (where coverage.coverage_status = 'complete') as complete_products,
        count(*) filter (where coverage.coverage_status = 'not_started') as not_started_products,
        sum(workload.open_alerts) as open_alerts,
        sum(workload.for_approval_images) as for_approval_images
    from coverage
    left join workload
        on workload.source = coverage.source
        and workload.product_key = coverage.product_key
    group by all
),

final as (
    select
        *,
        covered_images / nullif(expected_images, 0) as coverage_pct
    from cells
)

select * from final
