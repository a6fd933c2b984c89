-- One row per current deliverable (Grand Shooting: current picture) of every source.
with deliverables as (
    select * from intermediate.deliverables
),

links as (
    select * from intermediate.deliverable_products
),

products as (
    select * from intermediate.products
),

scope as (
    select
        links.source,
        links.deliverable_key,
        bool_or(products.in_scope) as in_scope
    from links
    inner join products
        on products.source = links.source
        and products.product_key = links.product_key
    group by all
),

final as (
    select
        deliverables.source,
        deliverables.deliverable_key,
        deliverables.product_key,
        deliverables.production,
        deliverables.shooting_method,
        deliverables.bench_step,
        deliverables.stage,
        deliverables.status_code,
        deliverables.status_label,
        deliverables.status_group,
        deliverables.coverage_bucket,
        deliverables.view_type,
        deliverables.width,
        deliverables.height,
        deliverables.file_size,
        deliverables.icc_profile,
        deliverables.file_format,
        deliverables.file_name,
        deliverables.hash,
        deliverables.created_at,
        deliverables.modified_at,
        deliverables.validated_at,
        deliverables.status_sorting,
        deliverables.shot_type,
        deliverables.look_key,
        deliverables.look_label,
        deliverables.shooting_key,
        deliverables.current_revision,
        deliverables.revision_count,
        deliverables.rework_used,
        deliverables.rework_available,
        deliverables.push_status,
        deliverables.sequence_name,
        deliverables.episode_name,
        deliverables.shot_name,
        deliverables.assignees_count,
        deliverables.retake_count,
        deliverables.due_date,
        deliverables.done_date,
        coalesce(scope.in_scope, false) as in_scope
    from deliverables
    left join scope
        on scope.source = deliverables.source
        and scope.deliverable_key = deliverables.deliverable_key
)

select * from final
