-- Kitsu tasks of live shots, with their task type and status flags; the status group follows
-- the flags: done = validated, feedback request = for approval, retake = refused,
-- wip = in progress, anything else = not started.
with tasks as (
    select * from staging.kitsu__tasks
),

shots as (
    select * from intermediate.kitsu__shots
),

task_types as (
    select * from staging.kitsu__task_types
),

statuses as (
    select * from staging.kitsu__task_statuses
),

deletions as (
    select * from staging.kitsu__deletion_events
),

live_tasks as (
    select tasks.*
    from tasks
    anti join deletions
        on deletions.instance = tasks.instance
        and deletions.object_id = tasks.task_id
),

joined as (
    select
        live_tasks.instance,
        live_tasks.task_id,
        shots.shot_id,
        shots.shot_name,
        shots.sequence_name,
        shots.episode_name,
        shots.project_id,
        shots.project_name,
        shots.max_retakes,
        shots.is_canceled as shot_canceled,
        task_types.task_type_name,
        task_types.task_type_priority,
        statuses.task_status_short_name,
        statuses.task_status_name,
        case
            when statuses.is_done then 'is_done'
            when statuses.is_feedback_request then 'is_feedback_request'
            when statuses.is_retake then 'is_retake'
            when statuses.is_wip then 'is_wip'
            else 'not_started'
        end as status_flag,
        coalesce(statuses.is_done, false) as is_done,
        live_tasks.assignees_count,
        live_tasks.retake_count,
        live_tasks.due_date,
        live_tasks.done_date,
        live_tasks.created_at,
        live_tasks.updated_at
    from live_tasks
    inner join shots
        on shots.instance = live_tasks.instance
        and shots.shot_id = live_tasks.entity_id
    left join task_types
        on task_types.instance = live_tasks.instance
        and task_types.task_type_id = live_tasks.task_type_id
    left join statuses
        on statuses.instance = live_tasks.instance
        and statuses.task_status_id = live_tasks.task_status_id
)

select * from joined
