-- Kitsu tasks of shots in the shape every source gives intermediate.deliverables: one row per
-- task (shot x task type). The status shows as the task status (short name, name); it is
-- classified by its flags (status_map_code: is_done, is_feedback_request, is_retake, is_wip,
-- not_started in data/status_map.csv).
with shot_tasks as (
    select * from intermediate.kitsu__shot_tasks
),

shaped as (
    select
        'kitsu' as source,
        task_id as deliverable_key,
        shot_id as product_key,
        project_name as production,
        sequence_name as shooting_method,
        cast(null as varchar) as bench_step,
        task_type_name as stage,
        task_status_short_name as status_code,
        status_flag as status_map_code,
        task_status_name as source_status_label,
        task_type_name as view_type,
        cast([] as varchar[]) as api_alerts,
        false as spec_checked,
        created_at,
        updated_at as modified_at,
        case when is_done then coalesce(done_date, updated_at) end as validated_at,
        sequence_name,
        episode_name,
        shot_name,
        assignees_count,
        retake_count,
        due_date,
        done_date
    from shot_tasks
)

select * from shaped
