-- Guidelines that sources provide themselves (Grand Shooting: specification categories), one
-- row per view type and format. UNION POINT: a source with its own guidelines adds one
-- `union all by name` branch; a source without adds nothing.
with unioned as (
    select * from intermediate.grandshooting__guideline_views
    union all by name
    select * from intermediate.sartiq__guideline_views
    union all by name
    select * from intermediate.kitsu__guideline_views
)

select * from unioned
