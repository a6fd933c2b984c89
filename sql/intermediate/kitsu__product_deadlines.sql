-- Kitsu shots' deadlines: the latest due date of the shot's tasks (canceled shots left out).
with shot_tasks as (
    select * from intermediate.kitsu__shot_tasks
),

deadlines as (
    select
        'kitsu' as source,
        shot_id as product_key,
        max(cast(due_date as date)) as deadline,
        'kitsu' as deadline_source
    from shot_tasks
    where due_date is not null
        and not shot_canceled
    group by all
)

select * from deadlines
