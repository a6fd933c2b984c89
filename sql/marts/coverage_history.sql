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

workload as (
    select * from marts.product_workload
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
        coverage.covered_images,
        settings.built_at,
        workload.open_alerts,
        workload.for_approval_images
    from coverage
    cross join settings
    left join workload
        on workload.source = coverage.source
        and workload.product_key = coverage.product_key
)

select * from snapshot
