-- Kitsu task statuses with the flags that classify them.
with source as (
    select * from raw.kitsu__task_statuses
    where _deleted_at is null
),

renamed as (
    select
        instance,
        id as task_status_id,
        name as task_status_name,
        short_name as task_status_short_name,
        coalesce(is_done, false) as is_done,
        coalesce(is_retake, false) as is_retake,
        coalesce(is_wip, false) as is_wip,
        coalesce(is_feedback_request, false) as is_feedback_request
    from source
)

select * from renamed
