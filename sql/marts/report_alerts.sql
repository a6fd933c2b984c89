-- One row per alert of marts.guideline_alerts, with the product's name and scope columns, how
-- grave the severity ranks (data/severities.csv) and how many alerts its product has: the
-- report's Alerts sheet and its worst alerts, first by severity, then by product. Each alert is
-- named and told in plain words from data/alert_types.csv (its template filled with the
-- alert's own values), and names its picture, so two pictures never read as one row twice.
with alerts as not materialized (
    select * from marts.guideline_alerts
),

coverage as (
    select * from marts.shotlist_coverage
),

deliverables as (
    select * from marts.deliverables
),

severities as (
    select * from seeds.severities
),

alert_types as (
    select * from seeds.alert_types
),

per_product as (
    select
        source,
        product_key,
        count(*) as product_alerts
    from alerts
    group by all
),

final as (
    select
        alerts.source,
        alerts.alert_type,
        alerts.severity,
        alerts.product_key,
        alerts.deliverable_key,
        alerts.expected,
        alerts.actual,
        alerts.message,
        coverage.label,
        coverage.brand,
        coverage.collection,
        coverage.category,
        coverage.guideline,
        severities.severity_rank,
        -- Alerts on no product count together, per source.
        per_product.product_alerts,
        -- An alert type missing from the seed still reads: its name, and the model's message.
        coalesce(alert_types.alert_label, replace(alerts.alert_type, '_', ' ')) as alert_label,
        coalesce(
            replace(
                replace(
                    replace(alert_types.detail_template, '{expected}', coalesce(alerts.expected, '?')),
                    '{actual}',
                    coalesce(alerts.actual, '?')
                ),
                '{message}',
                alerts.message
            ),
            alerts.message
        ) as detail_text,
        case
            when alerts.deliverable_key is not null
                then coalesce(deliverables.file_name, deliverables.view_type, 'deliverable')
                    || ' #' || alerts.deliverable_key
        end as picture,
        coalesce(coverage.product_ref, alerts.product_key) as product_ref
    from alerts
    left join coverage
        on coverage.source = alerts.source
        and coverage.product_key = alerts.product_key
    left join deliverables
        on deliverables.source = alerts.source
        and deliverables.deliverable_key = alerts.deliverable_key
    left join severities
        on severities.severity = alerts.severity
    left join alert_types
        on alert_types.alert_type = alerts.alert_type
    left join per_product
        on per_product.source = alerts.source
        and per_product.product_key is not distinct from alerts.product_key
),

-- A sentence starts with a capital, also when it is the model's message.
labelled as (
    select
        * exclude (detail_text),
        upper(left(detail_text, 1)) || substr(detail_text, 2) as alert_detail
    from final
)

select * from labelled
