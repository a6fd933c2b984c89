-- Kitsu task types: the stages a shot or asset goes through.
with source as (
    select * from raw.kitsu__task_types
    where _deleted_at is null
),

renamed as (
    select
        instance,
        id as task_type_id,
        name as task_type_name,
        short_name as task_type_short_name,
        for_entity,
        priority as task_type_priority
    from source
)

select * from renamed
