-- The shot types each Sartiq look should have: its shooting's guideline shot types, plus those
-- of every rule group whose rule_kind names a product field equal to rule_value
-- (case-insensitive). A main product with no look yet expects the same for one look
-- (look_id NULL, in the first shooting that lists it).
with shootings as (
    select * from staging.sartiq__shootings
),

looks as (
    select * from intermediate.sartiq__live_looks
),

products as (
    select * from staging.sartiq__products
),

base_types as (
    select * from staging.sartiq__guideline_shot_types
),

rules as (
    select * from staging.sartiq__guideline_rules
),

main_products as (
    select * from staging.sartiq__main_products
),

pending_main as (
    select
        main_products.organization_id,
        cast(null as varchar) as look_id,
        main_products.shooting_id,
        main_products.product_id,
        'look 1' as look_label
    from main_products
    inner join shootings
        on shootings.organization_id = main_products.organization_id
        and shootings.shooting_id = main_products.shooting_id
    anti join looks
        on looks.product_id = main_products.product_id
    qualify row_number() over (
        partition by main_products.product_id
        order by shootings.created_at, shootings.shooting_id
    ) = 1
),

expected_looks as (
    select
        organization_id,
        look_id,
        shooting_id,
        product_id,
        look_label
    from looks
    union all by name
    select * from pending_main
),

base as (
    select
        expected_looks.*,
        base_types.shot_type_id,
        base_types.shot_type_name,
        base_types.view_angle,
        base_types.position
    from expected_looks
    inner join base_types
        on base_types.organization_id = expected_looks.organization_id
        and base_types.shooting_id = expected_looks.shooting_id
),

ruled as (
    select
        expected_looks.*,
        rules.shot_type_id,
        rules.shot_type_name,
        rules.view_angle,
        1000 * rules.rule_position + rules.position as position
    from expected_looks
    left join products
        on products.product_id = expected_looks.product_id
    inner join rules
        on rules.organization_id = expected_looks.organization_id
        and rules.shooting_id = expected_looks.shooting_id
        and lower(trim(rules.rule_value)) = lower(trim(
            case lower(trim(rules.rule_kind))
                when 'product_type' then products.product_type
                when 'gender' then products.gender
                when 'product_family' then products.product_family
                when 'brand' then products.brand
                when 'season' then products.season
                when 'colour' then products.colour
                when 'category' then products.category
                when 'type' then products.product_kind
                when 'brand_collection' then products.brand_collection
            end
        ))
),

combined as (
    select * from base
    union all by name
    select * from ruled
),

distinct_types as (
    select
        *,
        look_label || ' / ' || shot_type_name as view_code
    from combined
    qualify row_number() over (
        partition by product_id, look_label, shot_type_id order by position
    ) = 1
)

select * from distinct_types
