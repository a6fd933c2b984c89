-- Deadlines the platforms give per product: one row per (source, product_key) with a due date.
-- Grand Shooting has no deadline field ([report.deadlines] in the config covers it).
-- UNION POINT: a source with due dates adds one `union all by name` branch.
with unioned as (
    select * from intermediate.sartiq__product_deadlines
    union all by name
    select * from intermediate.kitsu__product_deadlines
)

select * from unioned
