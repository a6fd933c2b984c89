-- Sartiq guidelines as source guidelines: one per product ('sartiq:' || product id), whose
-- views are the expected shot types of each of its looks ("look 1 / Front"...), so coverage
-- sums them over the product's looks and lists what is missing per look.
with expectations as (
    select * from intermediate.sartiq__look_expectations
),

shootings as (
    select * from staging.sartiq__shootings
),

named as (
    select
        expectations.*,
        first_value(coalesce(shootings.guideline_name, shootings.shooting_name || ' guidelines'))
            over (
                partition by expectations.product_id
                order by shootings.created_at, shootings.shooting_id
            ) as guideline_name,
        dense_rank() over (
            partition by expectations.product_id order by expectations.look_label
        ) as look_rank
    from expectations
    inner join shootings
        on shootings.organization_id = expectations.organization_id
        and shootings.shooting_id = expectations.shooting_id
),

shaped as (
    select
        'sartiq' as source,
        'sartiq:' || product_id as guideline_key,
        guideline_name,
        view_code,
        cast(look_rank * 100000 + position as double) as view_rang,
        shot_type_name as view_label,
        cast(null as varchar) as shooting_method
    from named
)

select * from shaped
