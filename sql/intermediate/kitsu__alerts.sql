-- Kitsu alerts raised from its own data: retakes above the production's max_retakes, tasks
-- past their due date and not done, canceled shots that still have open tasks (on no product:
-- a canceled shot is out of scope), and shots with no task at all.
with shot_tasks as (
    select * from intermediate.kitsu__shot_tasks
),

shots as (
    select * from intermediate.kitsu__shots
),

settings as (
    select max(built_at) as built_at from seeds.build_settings
),

over_retakes as (
    select
        'kitsu' as source,
        'rework_over_limit' as alert_type,
        shot_id as product_key,
        task_id as deliverable_key,
        cast(max_retakes as varchar) as expected,
        cast(retake_count as varchar) as actual,
        shot_name || ' ' || task_type_name || ': ' || cast(retake_count as varchar)
            || ' retakes, the production allows ' || cast(max_retakes as varchar) as message
    from shot_tasks
    where max_retakes > 0
        and retake_count > max_retakes
        and not shot_canceled
),

overdue as (
    select
        'kitsu' as source,
        'task_overdue' as alert_type,
        shot_tasks.shot_id as product_key,
        shot_tasks.task_id as deliverable_key,
        strftime(shot_tasks.due_date, '%Y-%m-%d') as expected,
        shot_tasks.task_status_short_name as actual,
        shot_tasks.shot_name || ' ' || shot_tasks.task_type_name || ' was due on '
            || strftime(shot_tasks.due_date, '%Y-%m-%d') || ' and is '
            || shot_tasks.task_status_name as message
    from shot_tasks
    cross join settings
    where shot_tasks.due_date < settings.built_at
        and not shot_tasks.is_done
        and not shot_tasks.shot_canceled
),

canceled_open as (
    select
        'kitsu' as source,
        'canceled_shot_open_tasks' as alert_type,
        cast(null as varchar) as product_key,
        cast(null as varchar) as deliverable_key,
        '0' as expected,
        cast(count(*) as varchar) as actual,
        'canceled shot ' || coalesce(sequence_name || ' / ', '') || shot_name || ' ('
            || project_name || ') has ' || cast(count(*) as varchar) || ' open task(s)'
            as message
    from shot_tasks
    where shot_canceled
        and not is_done
    group by shot_id, shot_name, sequence_name, project_name
),

without_tasks as (
    select
        'kitsu' as source,
        'shot_without_tasks' as alert_type,
        shots.shot_id as product_key,
        cast(null as varchar) as deliverable_key,
        cast(null as varchar) as expected,
        '0' as actual,
        coalesce(shots.sequence_name || ' / ', '') || shots.shot_name || ' has no task'
            as message
    from shots
    anti join shot_tasks
        on shot_tasks.instance = shots.instance
        and shot_tasks.shot_id = shots.shot_id
    where not shots.is_canceled
),

all_alerts as (
    select * from over_retakes
    union all by name
    select * from overdue
    union all by name
    select * from canceled_open
    union all by name
    select * from without_tasks
)

select * from all_alerts
