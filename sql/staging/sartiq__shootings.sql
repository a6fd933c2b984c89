-- Sartiq shootings with their phase, computed status and default guideline settings.
with source as (
    select * from raw.sartiq__shootings
    where _deleted_at is null
),

renamed as (
    select
        organization_id,
        id as shooting_id,
        name as shooting_name,
        brand,
        season,
        collection,
        phase,
        status as computed_status,
        shot_status,
        due_date,
        archived,
        json_extract_string(shooting_type, '$.key') as shooting_type,
        default_guidelines_id as guideline_id,
        json_extract_string(default_guidelines, '$.name') as guideline_name,
        coalesce(
            try_cast(
                json_extract_string(default_guidelines, '$.allow_back_shots_without_back_image')
                as boolean
            ),
            false
        ) as allow_back_shots_without_back_image,
        created_at,
        updated_at
    from source
)

select * from renamed
