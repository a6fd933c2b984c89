-- One row per (deliverable, product) it counts for: a picture counts for every reference it
-- is linked to, and a look's pictures for every reference of the look.
with links as (
    select * from intermediate.deliverable_products
),

final as (
    select
        source,
        deliverable_key,
        product_key,
        link_type
    from links
)

select * from final
