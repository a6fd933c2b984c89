-- One row per catalog item of every source, with the guideline that applies to it.
-- Category levels are shown in one case style, whatever the platform's: each level starts with
-- a capital and keeps the rest of its spelling (Sartiq's "apparel > t-shirt" reads
-- "Apparel > T-shirt", like Grand Shooting's "RTW > Tops > T-shirts").
with products as (
    select * from intermediate.products
),

guidelines as (
    select * from intermediate.product_guidelines
),

cased as (
    select
        products.*,
        upper(left(products.univers, 1)) || substr(products.univers, 2) as univers_cased,
        upper(left(products.gamme, 1)) || substr(products.gamme, 2) as gamme_cased,
        upper(left(products.family, 1)) || substr(products.family, 2) as family_cased,
        array_to_string(
            list_transform(
                string_split(products.category_path, ' > '),
                level -> upper(left(level, 1)) || substr(level, 2)
            ),
            ' > '
        ) as category_path_cased
    from products
),

final as (
    select
        cased.source,
        cased.product_key,
        cased.label,
        cased.brand,
        cased.collection,
        cased.category_path_cased as category_path,
        cased.univers_cased as univers,
        cased.gamme_cased as gamme,
        cased.family_cased as family,
        cased.color,
        cased.size,
        cased.gender,
        cased.shotlist,
        guidelines.guideline_name as guideline,
        guidelines.guideline_origin,
        cased.in_scope,
        -- What a person calls the product: the platform's own name for it when its key is an
        -- internal id (Sartiq: SKU, Kitsu: sequence / shot), else the key itself.
        coalesce(cased.product_ref, cased.product_key) as product_ref
    from cased
    left join guidelines
        on guidelines.source = cased.source
        and guidelines.product_key = cased.product_key
)

select * from final
