-- One row per alert type, severity and scope cell of the product the alerts are on: the
-- counts behind the report's "Top alerts" and "Open alerts". The scope columns are the
-- product's, so alerts tied to no product have them NULL: any filter leaves those out. Each
-- type carries its name and meaning from data/alert_types.csv.
with alerts as (
    select * from marts.guideline_alerts
),

coverage as (
    select * from marts.shotlist_coverage
),

severities as (
    select * from seeds.severities
),

alert_types as (
    select * from seeds.alert_types
),

scoped as (
    select
        alerts.alert_type,
        alerts.severity,
        alerts.product_key,
        coverage.source,
        coverage.brand,
        coverage.collection,
        coverage.category,
        coverage.guideline
    from alerts
    left join coverage
        on coverage.source = alerts.source
        and coverage.product_key = alerts.product_key
    where alerts.product_key is null
        or coverage.product_key is not null
),

grouped as (
    select
        alert_type,
        severity,
        source,
        brand,
        collection,
        category,
        guideline,
        count(*) as alerts,
        count(distinct product_key) as products
    from scoped
    group by all
),

final as (
    select
        grouped.*,
        severities.severity_rank,
        -- The type's name and one-line meaning (data/alert_types.csv).
        coalesce(alert_types.alert_label, replace(grouped.alert_type, '_', ' ')) as alert_label,
        alert_types.alert_meaning
    from grouped
    left join severities
        on severities.severity = grouped.severity
    left join alert_types
        on alert_types.alert_type = grouped.alert_type
)

select * from final
