-- Kitsu tasks (entity x task type) with their assignees.
with source as (
    select * from raw.kitsu__tasks
    where _deleted_at is null
),

renamed as (
    select
        instance,
        id as task_id,
        entity_id,
        task_type_id,
        task_status_id,
        project_id,
        coalesce(retake_count, 0) as retake_count,
        coalesce(json_array_length(assignees), 0) as assignees_count,
        due_date,
        done_date,
        start_date,
        end_date,
        created_at,
        updated_at
    from source
)

select * from renamed
