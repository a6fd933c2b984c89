-- Current Grand Shooting pictures: the most advanced copy of each photo and not trashed.
-- The same photo exists once per bench it went through (parent -> child copies); only the copy
-- without a child counts, otherwise coverage would double or triple. A deleted picture is
-- trashed logically: its file name (or the last part of its path) starts with __TRASH.
-- Ignored and archived statuses are dropped later, through the status map.
with pictures as (
    select * from staging.grandshooting__pictures
),

current_pictures as (
    select
        *,
        case
            when account_id = 0 then cast(picture_id as varchar)
            else cast(account_id as varchar) || '/' || cast(picture_id as varchar)
        end as deliverable_key
    from pictures
    where child_count = 0
        and not coalesce(starts_with(file_name, '__TRASH'), false)
        -- A part of the path starts with __TRASH (string tests, cheaper than a regex per row).
        and not coalesce(starts_with(file_path, '__TRASH') or contains(file_path, '/__TRASH'), false)
)

select * from current_pictures
