-- Kitsu entities still alive: of a synced (open) production, and not deleted according to the
-- `*:delete` events read since the last full sync.
with entities as (
    select * from staging.kitsu__entities
),

projects as (
    select * from staging.kitsu__projects
),

deletions as (
    select * from staging.kitsu__deletion_events
),

live as (
    select
        entities.*,
        projects.project_name,
        projects.max_retakes
    from entities
    inner join projects
        on projects.instance = entities.instance
        and projects.project_id = entities.project_id
    anti join deletions
        on deletions.instance = entities.instance
        and deletions.object_id = entities.entity_id
)

select * from live
