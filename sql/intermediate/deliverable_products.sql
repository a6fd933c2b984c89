-- Every source's deliverable -> product links, limited to deliverables that count (see
-- intermediate.deliverables). UNION POINT: a new source adds one `union all by name` branch.
with unioned as (
    select * from intermediate.grandshooting__deliverable_products
    union all by name
    select * from intermediate.sartiq__deliverable_products
    union all by name
    select * from intermediate.kitsu__deliverable_products
),

deliverables as (
    select
        source,
        deliverable_key
    from intermediate.deliverables
),

kept as (
    select unioned.*
    from unioned
    semi join deliverables
        on deliverables.source = unioned.source
        and deliverables.deliverable_key = unioned.deliverable_key
)

select * from kept
