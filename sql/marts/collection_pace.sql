-- Pace and forecast per collection, per brand and per brand and collection (`level`): images
-- validated per week over the last 4 weeks, the images left, the weeks left at that pace, the
-- date it finishes, and whether a known deadline is missed at that pace.
-- Pace: covered images (validated, up to what each product expects: the coverage numerator)
-- gained since the baseline snapshot of marts.coverage_history, the latest one at least 28 days
-- old, else the oldest one at least 7 days old (pace_basis 'history'); without such a snapshot
-- (first week of history), the validated images whose validation date falls in the last 28
-- days (pace_basis 'validation_dates', counted once per product an image is linked to).
-- Deadline: [report.deadlines] of the config for the collection, else the latest due date
-- the platforms give for its products (Sartiq shootings, Kitsu tasks); a group's deadline is
-- the latest of its products'.
with settings as (
    select
        max(build_date) as build_date,
        max(built_at) as built_at
    from seeds.build_settings
),

coverage as (
    select * from marts.shotlist_coverage
),

history as (
    select * from marts.coverage_history
),

links as (
    select * from marts.deliverable_products
),

deliverables as (
    select * from marts.deliverables
),

platform_deadlines as (
    select * from intermediate.product_deadlines
),

configured_deadlines as (
    select
        lower(trim(collection)) as collection_key,
        deadline
    from seeds.deadlines
),

baseline_day as (
    select
        coalesce(
            max(days.snapshot_date) filter (where days.snapshot_date <= settings.build_date - 28),
            min(days.snapshot_date) filter (where days.snapshot_date <= settings.build_date - 7)
        ) as baseline_date
    from (select distinct snapshot_date from history) as days
    cross join settings
),

baseline as (
    select
        history.source,
        history.product_key,
        -- Snapshots taken before covered_images was recorded: read back from coverage_pct.
        coalesce(
            history.covered_images,
            cast(round(history.coverage_pct * history.expected_images) as bigint)
        ) as covered_then
    from history
    inner join baseline_day
        on baseline_day.baseline_date = history.snapshot_date
),

recently_validated as (
    select
        links.source,
        links.product_key,
        count(*) as validated_recently
    from links
    inner join deliverables
        on deliverables.source = links.source
        and deliverables.deliverable_key = links.deliverable_key
    cross join settings
    where deliverables.coverage_bucket = 'validated'
        and deliverables.validated_at > settings.built_at - interval 28 days
        and deliverables.validated_at <= settings.built_at
    group by all
),

per_product as (
    select
        coverage.source,
        coverage.product_key,
        coverage.brand,
        coverage.collection,
        coverage.expected_images,
        coverage.covered_images,
        coverage.missing_images,
        -- A product not in the baseline snapshot had nothing covered then.
        coalesce(coverage.covered_images, 0) - coalesce(baseline.covered_then, 0) as gained,
        coalesce(recently_validated.validated_recently, 0) as validated_recently,
        coalesce(configured_deadlines.deadline, platform_deadlines.deadline) as deadline,
        case
            when configured_deadlines.deadline is not null then 'config'
            else platform_deadlines.deadline_source
        end as deadline_source
    from coverage
    left join baseline
        on baseline.source = coverage.source
        and baseline.product_key = coverage.product_key
    left join recently_validated
        on recently_validated.source = coverage.source
        and recently_validated.product_key = coverage.product_key
    left join configured_deadlines
        on configured_deadlines.collection_key = lower(trim(coverage.collection))
    left join platform_deadlines
        on platform_deadlines.source = coverage.source
        and platform_deadlines.product_key = coverage.product_key
),

grouped as (
    select
        case
            when grouping(brand) = 0 and grouping(collection) = 0 then 'brand_collection'
            when grouping(collection) = 0 then 'collection'
            else 'brand'
        end as level,
        brand,
        collection,
        count(*) as products,
        sum(expected_images) as expected_images,
        sum(covered_images) as covered_images,
        sum(missing_images) as images_left,
        sum(gained) as gained,
        sum(validated_recently) as validated_recently,
        max(deadline) as deadline,
        arg_max(deadline_source, deadline) as deadline_source
    from per_product
    group by grouping sets ((collection), (brand), (brand, collection))
),

paced as (
    select
        grouped.level,
        grouped.brand,
        grouped.collection,
        grouped.products,
        grouped.expected_images,
        grouped.covered_images,
        grouped.images_left,
        grouped.covered_images / nullif(grouped.expected_images, 0) as coverage_pct,
        case
            when baseline_day.baseline_date is not null then 'history'
            else 'validation_dates'
        end as pace_basis,
        coalesce(baseline_day.baseline_date, settings.build_date - 28) as window_start,
        settings.build_date as window_end,
        date_diff(
            'day', coalesce(baseline_day.baseline_date, settings.build_date - 28), settings.build_date
        ) / 7.0 as window_weeks,
        case
            when baseline_day.baseline_date is not null then grouped.gained
            else grouped.validated_recently
        end as validated_in_window,
        grouped.deadline,
        grouped.deadline_source
    from grouped
    cross join baseline_day
    cross join settings
),

forecast as (
    select
        *,
        validated_in_window / window_weeks as images_per_week,
        case
            when images_left = 0 then 0
            when validated_in_window > 0 then images_left / (validated_in_window / window_weeks)
        end as weeks_left,
        case
            when images_left = 0 then window_end
            when validated_in_window > 0
                then window_end + cast(
                    ceil(images_left / (validated_in_window / window_weeks) * 7) as integer
                )
        end as forecast_finish,
        case
            when images_left > 0 and deadline > window_end
                then images_left / (date_diff('day', window_end, deadline) / 7.0)
        end as needed_per_week
    from paced
),

final as (
    select
        *,
        coalesce(
            deadline is not null
            and images_left > 0
            and (forecast_finish is null or forecast_finish > deadline),
            false
        ) as misses_deadline,
        case
            when images_left is null then 'no_guideline'
            when images_left = 0 then 'complete'
            when deadline is not null and (forecast_finish is null or forecast_finish > deadline)
                then 'misses_deadline'
            when forecast_finish is null then 'no_progress'
            when deadline is null then 'no_deadline'
            else 'on_track'
        end as forecast_status
    from forecast
)

select * from final
