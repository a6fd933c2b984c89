-- materialized: incremental
-- delete_by: snapshot_date
-- A dated snapshot of marts.shotlist_coverage appended by each build; a second build on the
-- same day replaces that day's snapshot.
with settings as (
    select * from seeds.build_settings
),

coverage as (
    select * from marts.shotlist_coverage
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
        settings.built_at
    from coverage
    cross join settings
)

select * from snapshot
