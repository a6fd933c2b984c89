-- Sartiq products in the shape every source gives intermediate.products (product_key = the
-- product id, SKU as the label). Products of no live shooting (neither a main product nor
-- the product of a look) are `tracked = false`: outside every shotlist, never in scope.
with products as (
    select * from staging.sartiq__products
),

shootings as (
    select * from staging.sartiq__shootings
),

memberships as (
    select * from intermediate.sartiq__product_shootings
),

first_shooting as (
    select
        memberships.product_id,
        shootings.shooting_id,
        shootings.shooting_name
    from memberships
    inner join shootings
        on shootings.organization_id = memberships.organization_id
        and shootings.shooting_id = memberships.shooting_id
    qualify row_number() over (
        partition by memberships.product_id
        order by shootings.created_at, shootings.shooting_id
    ) = 1
),

shaped as (
    select
        'sartiq' as source,
        products.product_id as product_key,
        coalesce(products.sku, products.product_name) as label,
        -- What a person calls the product (the id is a UUID): its SKU, else its name.
        coalesce(products.sku, products.product_name) as product_ref,
        products.brand,
        coalesce(products.brand_collection, products.season) as collection,
        products.product_family as univers,
        products.product_type as gamme,
        cast(null as varchar) as family,
        nullif(concat_ws(' > ', products.product_family, products.product_type), '')
            as category_path,
        products.colour as color,
        cast(null as varchar) as size,
        products.gender,
        first_shooting.shooting_name as shotlist,
        first_shooting.shooting_id as shotlist_id,
        case
            when first_shooting.shooting_id is not null then 'sartiq:' || products.product_id
        end as source_guideline_key,
        first_shooting.shooting_id is not null as tracked
    from products
    left join first_shooting
        on first_shooting.product_id = products.product_id
    qualify row_number() over (
        partition by products.product_id order by products.organization_id
    ) = 1
)

select * from shaped
