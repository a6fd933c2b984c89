-- Sartiq products' deadlines: the latest due date of the shootings the product is in (as a
-- main product or through a live look), archived shootings left out.
with shootings as (
    select * from staging.sartiq__shootings
),

memberships as (
    select * from intermediate.sartiq__product_shootings
),

deadlines as (
    select
        'sartiq' as source,
        memberships.product_id as product_key,
        max(cast(shootings.due_date as date)) as deadline,
        'sartiq' as deadline_source
    from memberships
    inner join shootings
        on shootings.organization_id = memberships.organization_id
        and shootings.shooting_id = memberships.shooting_id
    where shootings.due_date is not null
        and not coalesce(shootings.archived, false)
    group by all
)

select * from deadlines
