-- Alerts sources raise from their own data (Sartiq: shot types outside the guideline, failed
-- pushes, overdue shootings...), in the shape of marts.guideline_alerts.
-- UNION POINT: a source with such alerts adds one `union all by name` branch.
with unioned as (
    select * from intermediate.sartiq__alerts
    union all by name
    select * from intermediate.kitsu__alerts
)

select * from unioned
