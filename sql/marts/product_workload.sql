-- One row per product in scope: its open alerts and its images waiting for approval, the two
-- per-product counts marts.coverage_history snapshots and marts.coverage_by_scope sums.
with coverage as (
    select * from marts.shotlist_coverage
),

alerts as (
    select * from marts.guideline_alerts
),

links as (
    select * from marts.deliverable_products
),

deliverables as (
    select * from marts.deliverables
),

alert_counts as (
    select
        alerts.source,
        alerts.product_key,
        count(*) as open_alerts
    from alerts
    where alerts.product_key is not null
    group by all
),

-- Counted like the image counts of marts.shotlist_coverage: once per product a deliverable is
-- linked to (with the shipped status map, part of in_progress_images).
for_approval_counts as (
    select
        links.source,
        links.product_key,
        count(*) as for_approval_images
    from links
    inner join deliverables
        on deliverables.source = links.source
        and deliverables.deliverable_key = links.deliverable_key
    where deliverables.status_group = 'for_approval'
    group by all
),

final as (
    select
        coverage.source,
        coverage.product_key,
        coalesce(alert_counts.open_alerts, 0) as open_alerts,
        coalesce(for_approval_counts.for_approval_images, 0) as for_approval_images
    from coverage
    left join alert_counts
        on alert_counts.source = coverage.source
        and alert_counts.product_key = coverage.product_key
    left join for_approval_counts
        on for_approval_counts.source = coverage.source
        and for_approval_counts.product_key = coverage.product_key
)

select * from final
