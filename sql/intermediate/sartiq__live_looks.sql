-- Sartiq looks of live shootings, numbered per product (look 1, look 2...) so that expected
-- and delivered shot types can be listed per look.
with shootings as (
    select * from staging.sartiq__shootings
),

looks as (
    select * from staging.sartiq__looks
),

live as (
    select
        looks.organization_id,
        looks.look_id,
        looks.shooting_id,
        looks.product_id,
        looks.readiness,
        looks.created_at,
        looks.updated_at,
        shootings.shooting_name,
        shootings.phase
    from looks
    inner join shootings
        on shootings.organization_id = looks.organization_id
        and shootings.shooting_id = looks.shooting_id
),

numbered as (
    select
        *,
        'look ' || cast(
            row_number() over (partition by product_id order by created_at, look_id) as varchar
        ) as look_label
    from live
)

select * from numbered
