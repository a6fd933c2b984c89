-- Which Sartiq shootings each product is in: as a main product or as the product of a live
-- look (one row per organisation, shooting and product).
with looks as (
    select * from intermediate.sartiq__live_looks
),

main_products as (
    select * from staging.sartiq__main_products
),

memberships as (
    select organization_id, shooting_id, product_id from main_products
    union
    select organization_id, shooting_id, product_id from looks
)

select * from memberships
