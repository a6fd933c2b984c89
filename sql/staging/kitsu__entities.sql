-- Kitsu entities: episodes, sequences, shots and assets in one table; `entity_kind` is the
-- type Zou names them by ("Shot", "Sequence", "Episode", "Asset", "Edit"...). Frame data and
-- custom metadata stay in `data` (JSON); the frame range is also extracted.
with source as (
    select * from raw.kitsu__entities
    where _deleted_at is null
),

renamed as (
    select
        instance,
        id as entity_id,
        type as entity_kind,
        entity_type_id,
        project_id,
        parent_id,
        name as entity_name,
        description,
        coalesce(canceled, false) as is_canceled,
        status as entity_status,
        nb_frames,
        try_cast(json_extract_string(data, '$.frame_in') as integer) as frame_in,
        try_cast(json_extract_string(data, '$.frame_out') as integer) as frame_out,
        try_cast(json_extract_string(data, '$.fps') as double) as fps,
        data,
        created_at,
        updated_at
    from source
)

select * from renamed
