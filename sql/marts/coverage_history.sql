-- materialized: incremental
-- delete_by: snapshot_date
-- A dated snapshot of marts.shotlist_coverage appended by each build, with each product's open
-- alerts and for-approval images; a second build on the same day replaces that day's snapshot.
-- Columns added later are NULL on the days built before them (the runner adds them to an
-- existing table): readers must treat NULL as "not recorded", not as zero.
with settings as (
    select * from seeds.build_settings
),

coverage as (
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

snapshot as (
    select
        settings.build_date as snapshot_date,
        coverage.source,
        coverage.product_key,
        coverage.brand,
        coverage.collection,
        coverage.category,
        coverage.guideline,
        coverage.expected_images,
        coverage.captured_images,
        coverage.in_progress_images,
        coverage.validated_images,
        coverage.missing_images,
        coverage.coverage_pct,
        coverage.coverage_status,
        settings.built_at,
        coalesce(alert_counts.open_alerts, 0) as open_alerts,
        coalesce(for_approval_counts.for_approval_images, 0) as for_approval_images
    from coverage
    cross join settings
    left join alert_counts
        on alert_counts.source = coverage.source
        and alert_counts.product_key = coverage.product_key
    left join for_approval_counts
        on for_approval_counts.source = coverage.source
        and for_approval_counts.product_key = coverage.product_key
)

select * from snapshot
