-- severity: error
-- The scope cells add up to marts.shotlist_coverage: the report's totals equal the products'.
with cells as (
    select
        coalesce(sum(products), 0) as products,
        sum(expected_images) as expected_images,
        sum(covered_images) as covered_images,
        sum(validated_images) as validated_images,
        sum(missing_images) as missing_images
    from marts.coverage_by_scope
),

coverage as (
    select
        count(*) as products,
        sum(expected_images) as expected_images,
        sum(covered_images) as covered_images,
        sum(validated_images) as validated_images,
        sum(missing_images) as missing_images
    from marts.shotlist_coverage
)

select *
from cells
cross join coverage
where cells.products <> coverage.products
    or cells.expected_images is distinct from coverage.expected_images
    or cells.covered_images is distinct from coverage.covered_images
    or cells.validated_images is distinct from coverage.validated_images
    or cells.missing_images is distinct from coverage.missing_images
