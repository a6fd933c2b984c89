-- severity: error
-- Each snapshot day of the trend sums the history rows of the products in scope today.
with trend as (
    select
        snapshot_date,
        sum(products) as products,
        sum(validated_images) as validated_images
    from marts.coverage_trend
    group by all
),

history as (
    select
        history.snapshot_date,
        count(*) as products,
        sum(history.validated_images) as validated_images
    from marts.coverage_history as history
    semi join marts.shotlist_coverage as coverage
        on coverage.source = history.source
        and coverage.product_key = history.product_key
    group by all
)

select *
from trend
full outer join history
    on history.snapshot_date = trend.snapshot_date
where trend.products is distinct from history.products
    or trend.validated_images is distinct from history.validated_images
