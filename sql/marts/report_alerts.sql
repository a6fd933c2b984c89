-- One row per alert of marts.guideline_alerts, with the product's name and scope columns, how
-- grave the severity ranks (data/severities.csv) and how many alerts its product has: the
-- report's Alerts sheet and its worst alerts, first by severity, then by product.
with alerts as not materialized (
    select * from marts.guideline_alerts
),

coverage as (
    select * from marts.shotlist_coverage
),

severities as (
    select * from seeds.severities
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
        per_product.product_alerts
    from alerts
    left join coverage
        on coverage.source = alerts.source
        and coverage.product_key = alerts.product_key
    left join severities
        on severities.severity = alerts.severity
    left join per_product
        on per_product.source = alerts.source
        and per_product.product_key is not distinct from alerts.product_key
)

select * from final
