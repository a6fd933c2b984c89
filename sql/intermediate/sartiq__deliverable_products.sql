-- Which product each Sartiq shot counts for: its look's product, when its shot type is one
-- the look's guideline expects (a shot outside the guideline counts for no coverage).
with deliverables as (
    select * from intermediate.sartiq__deliverables
),

links as (
    select
        'sartiq' as source,
        deliverable_key,
        product_key,
        1 as link_rank,
        'look' as link_type
    from deliverables
    where product_key is not null
        and in_guideline
)

select * from links
