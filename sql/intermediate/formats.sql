-- Technical formats sources define, which a file guideline can name by `format_id`.
-- UNION POINT: a source with such a format library adds one `union all by name` branch.
with unioned as (
    select * from intermediate.grandshooting__formats
)

select * from unioned
