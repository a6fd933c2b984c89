-- One row per catalog item of every source, with the guideline that applies to it.
with products as (
    select * from intermediate.products
),

guidelines as (
    select * from intermediate.product_guidelines
),

final as (
    select
        products.source,
        products.product_key,
        products.label,
        products.brand,
        products.collection,
        products.category_path,
        products.univers,
        products.gamme,
        products.family,
        products.color,
        products.size,
        products.gender,
        products.shotlist,
        guidelines.guideline_name as guideline,
        guidelines.guideline_origin,
        products.in_scope
    from products
    left join guidelines
        on guidelines.source = products.source
        and guidelines.product_key = products.product_key
)

select * from final
