-- Kitsu shots as the catalog items coverage is measured on. Canceled shots are not tracked
-- (never in scope, so not in coverage). Each shot is its own guideline: its tasks.
with shots as (
    select * from intermediate.kitsu__shots
),

shaped as (
    select
        'kitsu' as source,
        shot_id as product_key,
        coalesce(sequence_name || ' / ', '') || shot_name as label,
        -- What a person calls the shot (the id is a UUID): sequence / shot.
        coalesce(sequence_name || ' / ', '') || shot_name as product_ref,
        project_name as brand,
        sequence_name as collection,
        cast(null as varchar) as univers,
        cast(null as varchar) as gamme,
        cast(null as varchar) as family,
        concat_ws(' / ', project_name, episode_name, sequence_name) as category_path,
        cast(null as varchar) as color,
        cast(null as varchar) as size,
        cast(null as varchar) as gender,
        project_name as shotlist,
        project_id as shotlist_id,
        'kitsu:' || shot_id as source_guideline_key,
        not is_canceled as tracked
    from shots
)

select * from shaped
