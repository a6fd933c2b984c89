-- Kitsu productions as synced (open ones unless all_projects is set).
with source as (
    select * from raw.kitsu__projects
    where _deleted_at is null
),

renamed as (
    select
        instance,
        id as project_id,
        name as project_name,
        code as project_code,
        production_type,
        project_status_id,
        max_retakes,
        start_date,
        end_date,
        created_at,
        updated_at
    from source
)

select * from renamed
