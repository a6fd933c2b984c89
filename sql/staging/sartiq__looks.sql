-- Sartiq looks (production requests): one product to shoot in a shooting.
with source as (
    select * from raw.sartiq__looks
    where _deleted_at is null
),

renamed as (
    select
        organization_id,
        id as look_id,
        shooting_id,
        product_id,
        subject_name,
        readiness,
        shot_status,
        assignee_id,
        created_at,
        updated_at
    from source
)

select * from renamed
