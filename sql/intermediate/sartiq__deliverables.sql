-- Sartiq shots in the shape every source gives intermediate.deliverables: one row per shot of
-- a live look. The status is the shot's key with the label of its shooting's definitions;
-- an approved shot whose push completed maps as PUSHED (published) in the status map.
with looks as (
    select * from intermediate.sartiq__live_looks
),

shots as (
    select * from staging.sartiq__shots
),

revisions as (
    select * from staging.sartiq__revisions
),

statuses as (
    select * from staging.sartiq__status_definitions
),

expectations as (
    select * from intermediate.sartiq__look_expectations
),

revision_counts as (
    select
        organization_id,
        shot_id,
        count(*) as revision_count
    from revisions
    group by all
),

enriched as (
    select
        shots.*,
        looks.shooting_id,
        looks.shooting_name,
        looks.phase,
        looks.product_id,
        looks.look_label,
        statuses.status_label,
        statuses.status_sorting,
        current_revision.version as current_version,
        current_revision.push_status,
        current_revision.created_at as current_revision_at,
        coalesce(revision_counts.revision_count, 0) as revision_count,
        expectations.shot_type_id is not null as in_guideline
    from shots
    inner join looks
        on looks.organization_id = shots.organization_id
        and looks.look_id = shots.look_id
    left join statuses
        on statuses.organization_id = shots.organization_id
        and statuses.shooting_id = looks.shooting_id
        and statuses.status_key = shots.status_key
    left join revisions as current_revision
        on current_revision.organization_id = shots.organization_id
        and current_revision.revision_id = shots.current_revision_id
    left join revision_counts
        on revision_counts.organization_id = shots.organization_id
        and revision_counts.shot_id = shots.shot_id
    left join expectations
        on expectations.look_id = shots.look_id
        and expectations.shot_type_id = shots.shot_type_id
),

shaped as (
    select
        'sartiq' as source,
        shot_id as deliverable_key,
        product_id as product_key,
        shooting_name as production,
        cast(null as varchar) as shooting_method,
        cast(null as varchar) as bench_step,
        phase as stage,
        status_key as status_code,
        case
            when status_key = 'APPROVED' and push_status = 'COMPLETED' then 'PUSHED'
            else status_key
        end as status_map_code,
        status_label as source_status_label,
        status_sorting,
        look_label || ' / ' || coalesce(shot_type_name, '(no shot type)') as view_type,
        cast([] as varchar[]) as api_alerts,
        false as spec_checked,
        created_at,
        updated_at as modified_at,
        case when status_key in ('APPROVED', 'COMPLETED') then current_revision_at end
            as validated_at,
        shot_type_name as shot_type,
        view_angle,
        look_id as look_key,
        look_label,
        shooting_id as shooting_key,
        current_revision_id as current_revision,
        current_version,
        revision_count,
        rework_used,
        rework_available,
        push_status,
        in_guideline
    from enriched
)

select * from shaped
