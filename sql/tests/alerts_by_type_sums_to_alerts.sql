-- severity: error
-- Every alert on a product in scope, or on no product, is counted once; report_alerts has
-- every alert.
with counted as (
    select coalesce(sum(alerts), 0) as counted from marts.alerts_by_type
),

alerts as (
    select count(*) as alerts
    from marts.guideline_alerts as alerts
    where alerts.product_key is null
        or exists (
            select 1
            from marts.shotlist_coverage as coverage
            where coverage.source = alerts.source
                and coverage.product_key = alerts.product_key
        )
),

listed as (
    select
        (select count(*) from marts.report_alerts) as listed,
        (select count(*) from marts.guideline_alerts) as all_alerts
)

select *
from counted
cross join alerts
cross join listed
where counted <> alerts.alerts
    or listed <> all_alerts
