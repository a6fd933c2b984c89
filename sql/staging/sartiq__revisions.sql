-- Sartiq shot revisions, with the aggregate push status of each.
with source as (
    select * from raw.sartiq__revisions
    where _deleted_at is null
),

renamed as (
    select
        organization_id,
        id as revision_id,
        shot_id,
        version,
        display_name,
        shot_status as status_key,
        push_status,
        effective_image_url,
        created_at,
        updated_at
    from source
)

select * from renamed
