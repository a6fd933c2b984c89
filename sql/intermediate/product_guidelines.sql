-- The guideline that applies to each product, and where it comes from.
-- Precedence: a product whose source guideline (Grand Shooting: its category_id) exists among
-- the synced guidelines uses it (origin `api_category`), unless the config says
-- [guidelines] source = "file". Every other product takes the most specific matching file
-- guideline (origin `file`): family over gamme over univers over a catch-all; at the same
-- level, the one with more of brand/collection/gender/shooting_method set; then file order.
-- From an API category: the required views are its view types, restricted to the shooting
-- methods the product was shot with when a view type names one (all of them while the
-- product has no picture yet); expected images = their number.
with products as (
    select * from intermediate.products
),

deliverables as (
    select * from intermediate.deliverables
),

links as (
    select * from intermediate.deliverable_products
),

source_views as (
    select * from intermediate.guideline_views
),

file_guidelines as (
    select * from seeds.file_guidelines
),

settings as (
    select * from seeds.build_settings
),

product_methods as (
    select
        links.source,
        links.product_key,
        list(distinct lower(trim(deliverables.shooting_method)))
            filter (where deliverables.shooting_method is not null) as methods
    from links
    inner join deliverables
        on deliverables.source = links.source
        and deliverables.deliverable_key = links.deliverable_key
    group by all
),

products_with_methods as (
    select
        products.source,
        products.product_key,
        products.univers,
        products.gamme,
        products.family,
        products.brand,
        products.collection,
        products.gender,
        products.source_guideline_key,
        coalesce(product_methods.methods, []) as methods
    from products
    left join product_methods
        on product_methods.source = products.source
        and product_methods.product_key = products.product_key
),

source_guidelines as (
    select distinct
        source,
        guideline_key,
        guideline_name
    from source_views
),

api_assigned as (
    select
        products_with_methods.source,
        products_with_methods.product_key,
        products_with_methods.methods,
        source_guidelines.guideline_key,
        source_guidelines.guideline_name
    from products_with_methods
    inner join source_guidelines
        on source_guidelines.source = products_with_methods.source
        and source_guidelines.guideline_key = products_with_methods.source_guideline_key
    where (select max(guideline_source) from settings) = 'api'
),

-- The required views depend on the guideline and the methods only: worked out once per
-- distinct pair (few), not per product. The methods are keyed by their sorted JSON text so the
-- pairs join on text, not on lists.
api_profiles as (
    select distinct
        source,
        guideline_key,
        list_sort(methods) as methods,
        to_json(list_sort(methods))::varchar as methods_key
    from api_assigned
),

api_views as (
    select
        api_profiles.source,
        api_profiles.guideline_key,
        api_profiles.methods_key,
        source_views.view_code,
        min(source_views.view_rang) as view_rang
    from api_profiles
    inner join source_views
        on source_views.source = api_profiles.source
        and source_views.guideline_key = api_profiles.guideline_key
    where source_views.view_code is not null
        and (
            source_views.shooting_method is null
            or len(api_profiles.methods) = 0
            or list_contains(api_profiles.methods, lower(trim(source_views.shooting_method)))
        )
    group by all
),

api_profile_views as (
    select
        api_profiles.source,
        api_profiles.guideline_key,
        api_profiles.methods_key,
        cast(count(api_views.view_code) as integer) as expected_images,
        coalesce(
            list(api_views.view_code order by api_views.view_rang, api_views.view_code)
                filter (where api_views.view_code is not null),
            []
        ) as required_views
    from api_profiles
    left join api_views
        on api_views.source = api_profiles.source
        and api_views.guideline_key = api_profiles.guideline_key
        and api_views.methods_key = api_profiles.methods_key
    group by all
),

api_guidelines as (
    select
        api_assigned.source,
        api_assigned.product_key,
        'api_category' as guideline_origin,
        api_assigned.guideline_key,
        api_assigned.guideline_name,
        api_profile_views.expected_images,
        api_profile_views.required_views
    from api_assigned
    inner join api_profile_views
        on api_profile_views.source = api_assigned.source
        and api_profile_views.guideline_key = api_assigned.guideline_key
        and api_profile_views.methods_key = to_json(list_sort(api_assigned.methods))::varchar
),

file_candidates as (
    select
        products_with_methods.source,
        products_with_methods.product_key,
        file_guidelines.name,
        file_guidelines.guideline_order,
        file_guidelines.expected_images,
        file_guidelines.required_views,
        case
            when file_guidelines.family is not null then 3
            when file_guidelines.gamme is not null then 2
            when file_guidelines.univers is not null then 1
            else 0
        end as level,
        cast(file_guidelines.brand is not null as integer)
            + cast(file_guidelines.collection is not null as integer)
            + cast(file_guidelines.gender is not null as integer)
            + cast(file_guidelines.shooting_method is not null as integer) as refinements
    from products_with_methods
    inner join file_guidelines
        on (file_guidelines.univers is null
            or lower(trim(file_guidelines.univers)) = lower(trim(products_with_methods.univers)))
        and (file_guidelines.gamme is null
            or lower(trim(file_guidelines.gamme)) = lower(trim(products_with_methods.gamme)))
        and (file_guidelines.family is null
            or lower(trim(file_guidelines.family)) = lower(trim(products_with_methods.family)))
        and (file_guidelines.brand is null
            or lower(trim(file_guidelines.brand)) = lower(trim(products_with_methods.brand)))
        and (file_guidelines.collection is null
            or lower(trim(file_guidelines.collection))
                = lower(trim(products_with_methods.collection)))
        and (file_guidelines.gender is null
            or lower(trim(file_guidelines.gender)) = lower(trim(products_with_methods.gender)))
        and (file_guidelines.shooting_method is null
            or list_contains(
                products_with_methods.methods, lower(trim(file_guidelines.shooting_method))
            ))
    anti join api_assigned
        on api_assigned.source = products_with_methods.source
        and api_assigned.product_key = products_with_methods.product_key
),

file_best as (
    select *
    from file_candidates
    qualify row_number() over (
        partition by source, product_key
        order by level desc, refinements desc, guideline_order
    ) = 1
),

file_applied as (
    select
        source,
        product_key,
        'file' as guideline_origin,
        name as guideline_key,
        name as guideline_name,
        expected_images,
        required_views
    from file_best
),

all_guidelines as (
    select * from api_guidelines
    union all by name
    select * from file_applied
)

select * from all_guidelines
