-- Each Kitsu task counts for its shot.
with deliverables as (
    select * from intermediate.kitsu__deliverables
),

links as (
    select
        source,
        deliverable_key,
        product_key,
        'shot' as link_type,
        1 as link_rank
    from deliverables
)

select * from links
