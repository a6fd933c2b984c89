-- One row per alert on products in scope (and, when no scope is configured, on deliverables
-- linked to no product). Missing-view and too-few-images alerts are raised only for products
-- whose shoot has started: at least one current picture beyond the captured group. Products
-- not started show as `not_started` in marts.shotlist_coverage instead.
with coverage as (
    select * from marts.shotlist_coverage
),

deliverables as not materialized (
    select * from intermediate.deliverables
),

links as (
    select * from intermediate.deliverable_products
),

products as not materialized (
    select * from intermediate.products
),

spec_alerts as (
    select * from intermediate.deliverable_spec_checks
),

source_alerts as (
    select * from intermediate.source_alerts
),

-- Severity of each alert type: data/alert_severities.csv (an unlisted type is a warning).
severities as (
    select * from seeds.alert_severities
),

scope_is_restricted as (
    select count(*) > 0 as restricted from seeds.scope_filters
),

-- Only the columns the alerts below read: this step is read five times, so it is computed once.
watched as (
    select
        deliverables.source,
        deliverables.deliverable_key,
        deliverables.product_key,
        deliverables.status_alert,
        deliverables.status_code,
        deliverables.status_label,
        deliverables.api_alerts,
        deliverables.hash,
        deliverables.file_name
    from deliverables
    left join products
        on products.source = deliverables.source
        and products.product_key = deliverables.product_key
    where coalesce(products.in_scope, false)
        or (
            deliverables.product_key is null
            and not (select restricted from scope_is_restricted)
        )
),

-- Read twice: only the columns the two alerts below use.
started as (
    select
        source,
        product_key,
        guideline,
        missing_views,
        expected_images,
        validated_images
    from coverage
    where guideline is not null
        and in_progress_images + validated_images > 0
),

missing_view as (
    select
        source,
        'missing_view' as alert_type,
        product_key,
        cast(null as varchar) as deliverable_key,
        view_type as expected,
        cast(null as varchar) as actual,
        'no validated image for required view ' || view_type as message
    from (select *, unnest(missing_views) as view_type from started)
),

too_few_images as (
    select
        source,
        'too_few_images' as alert_type,
        product_key,
        cast(null as varchar) as deliverable_key,
        cast(expected_images as varchar) as expected,
        cast(validated_images as varchar) as actual,
        cast(validated_images as varchar) || ' validated image(s), guideline '
            || guideline || ' expects ' || cast(expected_images as varchar) as message
    from started
    where validated_images < expected_images
),

status_alerts as (
    select
        source,
        status_alert as alert_type,
        product_key,
        deliverable_key,
        cast(null as varchar) as expected,
        status_code as actual,
        'status ' || status_code || ' (' || status_label || ')' as message
    from watched
    where status_alert is not null
),

api_alerts as (
    select
        source,
        'api_alert' as alert_type,
        product_key,
        deliverable_key,
        cast(null as varchar) as expected,
        api_alert as actual,
        'the platform reports ' || api_alert as message
    from (select *, unnest(api_alerts) as api_alert from watched)
),

-- Content shared by several deliverables: only these can link one content to other products,
-- so the per-deliverable product lists below are built for them alone.
shared_hashes as (
    select
        source,
        hash
    from deliverables
    where coalesce(hash, '') <> ''
    group by all
    having count(*) > 1
),

shared as (
    select
        deliverables.source,
        deliverables.deliverable_key,
        deliverables.hash
    from deliverables
    semi join shared_hashes
        on shared_hashes.source = deliverables.source
        and shared_hashes.hash = deliverables.hash
),

reference_sets as (
    select
        links.source,
        links.deliverable_key,
        list(links.product_key order by links.product_key) as product_keys
    from links
    semi join shared
        on shared.source = links.source
        and shared.deliverable_key = links.deliverable_key
    group by all
),

hashed as (
    select
        shared.source,
        shared.deliverable_key,
        shared.hash,
        reference_sets.product_keys
    from shared
    inner join reference_sets
        on reference_sets.source = shared.source
        and reference_sets.deliverable_key = shared.deliverable_key
),

hash_products as (
    select
        hashed.source,
        hashed.hash,
        unnest(hashed.product_keys) as product_key
    from hashed
),

others as (
    select
        hashed.source,
        hashed.deliverable_key,
        list(distinct hash_products.product_key order by hash_products.product_key)
            as other_products
    from hashed
    inner join hash_products
        on hash_products.source = hashed.source
        and hash_products.hash = hashed.hash
    where not list_contains(hashed.product_keys, hash_products.product_key)
    group by all
),

duplicate_content as (
    select
        watched.source,
        'duplicate_content' as alert_type,
        watched.product_key,
        watched.deliverable_key,
        cast(null as varchar) as expected,
        array_to_string(others.other_products, ', ') as actual,
        'same image content (hash ' || watched.hash || ') is linked to '
            || array_to_string(others.other_products, ', ') as message
    from watched
    inner join others
        on others.source = watched.source
        and others.deliverable_key = watched.deliverable_key
),

unlinked as (
    select
        source,
        'unlinked_picture' as alert_type,
        product_key,
        deliverable_key,
        cast(null as varchar) as expected,
        cast(null as varchar) as actual,
        'current picture ' || coalesce(file_name, deliverable_key) || ' is linked to no product'
            as message
    from watched
    where product_key is null
),

-- A spec alert is on the product whose guideline the picture breaks (for a look picture, the
-- member product), so it follows that product's scope, and says which product it is for.
spec as (
    select
        spec_alerts.source,
        spec_alerts.alert_type,
        spec_alerts.product_key,
        spec_alerts.deliverable_key,
        spec_alerts.expected,
        spec_alerts.actual,
        replace(spec_alerts.alert_type, '_', ' ') || ' for ' || spec_alerts.product_key
            || ': expected ' || spec_alerts.expected || ', got '
            || coalesce(spec_alerts.actual, '(unknown)') as message
    from spec_alerts
    inner join products
        on products.source = spec_alerts.source
        and products.product_key = spec_alerts.product_key
    where products.in_scope
),

own_alerts as (
    select source_alerts.*
    from source_alerts
    left join products
        on products.source = source_alerts.source
        and products.product_key = source_alerts.product_key
    -- Product alerts follow the product's scope; alerts on no product (a shooting) are kept.
    where source_alerts.product_key is null
        or coalesce(products.in_scope, false)
),

all_alerts as (
    select * from missing_view
    union all by name
    select * from too_few_images
    union all by name
    select * from status_alerts
    union all by name
    select * from api_alerts
    union all by name
    select * from duplicate_content
    union all by name
    select * from unlinked
    union all by name
    select * from spec
    union all by name
    select * from own_alerts
),

final as (
    select
        all_alerts.source,
        all_alerts.alert_type,
        coalesce(severities.severity, 'warning') as severity,
        all_alerts.product_key,
        all_alerts.deliverable_key,
        all_alerts.expected,
        all_alerts.actual,
        all_alerts.message
    from all_alerts
    left join severities
        on severities.alert_type = all_alerts.alert_type
)

select * from final
