-- The base shot types of each shooting's default guideline, in guideline order.
with source as (
    select * from raw.sartiq__shootings
    where _deleted_at is null
),

shot_types as (
    select
        organization_id,
        id as shooting_id,
        unnest(
            coalesce(cast(json_extract(default_guidelines, '$.shot_types') as json[]), [])
        ) as shot_type,
        generate_subscripts(
            coalesce(cast(json_extract(default_guidelines, '$.shot_types') as json[]), []), 1
        ) as position
    from source
),

renamed as (
    select
        organization_id,
        shooting_id,
        json_extract_string(shot_type, '$.id') as shot_type_id,
        json_extract_string(shot_type, '$.name') as shot_type_name,
        json_extract_string(shot_type, '$.view_angle') as view_angle,
        json_extract_string(shot_type, '$.framing') as framing,
        position
    from shot_types
)

select * from renamed
