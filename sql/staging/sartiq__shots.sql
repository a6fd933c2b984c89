-- Sartiq shots: one per shot type of a look, with its status and rework counters.
with source as (
    select * from raw.sartiq__shots
    where _deleted_at is null
),

renamed as (
    select
        organization_id,
        id as shot_id,
        coalesce(production_request_id, shooting_look_id) as look_id,
        json_extract_string(shot_type, '$.id') as shot_type_id,
        json_extract_string(shot_type, '$.name') as shot_type_name,
        json_extract_string(shot_type, '$.view_angle') as view_angle,
        status as status_key,
        current_revision_id,
        rework_used,
        rework_available,
        created_at,
        updated_at
    from source
)

select * from renamed
