-- The statuses valid in each Sartiq shooting, with their label and order (worst to best).
with source as (
    select * from raw.sartiq__status_definitions
    where _deleted_at is null
),

renamed as (
    select
        organization_id,
        shooting_id,
        key as status_key,
        label as status_label,
        sorting as status_sorting
    from source
)

select * from renamed
