-- Kitsu `<object>:delete` events: which object was deleted, read from `data.<object>_id`.
with source as (
    select * from raw.kitsu__deletion_events
    where _deleted_at is null
),

renamed as (
    select
        instance,
        id as event_id,
        split_part(name, ':', 1) as object_kind,
        json_extract_string(
            data, '$.' || replace(split_part(name, ':', 1), '-', '_') || '_id'
        ) as object_id,
        created_at as deleted_at
    from source
)

select * from renamed
