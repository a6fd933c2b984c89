-- Kitsu guidelines as source guidelines: one per shot ('kitsu:' || shot id), whose views are the
-- task types of the shot's tasks, in the task types' priority order. A shot without tasks has
-- no guideline (coverage: no_guideline; alerts: shot_without_tasks).
with shot_tasks as (
    select * from intermediate.kitsu__shot_tasks
),

shaped as (
    select distinct
        'kitsu' as source,
        'kitsu:' || shot_id as guideline_key,
        project_name || ' shot tasks' as guideline_name,
        task_type_name as view_code,
        cast(coalesce(task_type_priority, 0) as double) as view_rang,
        task_type_name as view_label,
        cast(null as varchar) as shooting_method
    from shot_tasks
    where task_type_name is not null
)

select * from shaped
