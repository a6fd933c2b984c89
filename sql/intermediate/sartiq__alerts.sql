-- Sartiq guideline alerts raised from its own data: shots outside the guideline, back shots of
-- a product without a back image when the guideline does not allow them, rework beyond what is
-- available, approved shots whose push failed, main products of a shooting in production with
-- no look, and shootings past their due date that are not closed.
with deliverables as (
    select * from intermediate.sartiq__deliverables
),

looks as (
    select * from intermediate.sartiq__live_looks
),

shootings as (
    select * from staging.sartiq__shootings
),

products as (
    select * from staging.sartiq__products
),

main_products as (
    select * from staging.sartiq__main_products
),

settings as (
    select max(built_at) as built_at from seeds.build_settings
),

outside_guideline as (
    select
        'sartiq' as source,
        'shot_type_outside_guideline' as alert_type,
        product_key,
        deliverable_key,
        cast(null as varchar) as expected,
        shot_type as actual,
        'shot type ' || coalesce(shot_type, '(none)') || ' is not in the guideline of '
            || look_label as message
    from deliverables
    where not in_guideline
),

back_without_image as (
    select
        'sartiq' as source,
        'back_shot_without_back_image' as alert_type,
        deliverables.product_key,
        deliverables.deliverable_key,
        cast(null as varchar) as expected,
        deliverables.shot_type as actual,
        'back shot ' || deliverables.shot_type || ' of a product without a back image'
            as message
    from deliverables
    inner join shootings
        on shootings.shooting_id = deliverables.shooting_key
    inner join products
        on products.product_id = deliverables.product_key
    where upper(deliverables.view_angle) = 'BACK'
        and products.back_image_url is null
        and not shootings.allow_back_shots_without_back_image
),

rework_over as (
    select
        'sartiq' as source,
        'rework_over_limit' as alert_type,
        product_key,
        deliverable_key,
        cast(rework_available as varchar) as expected,
        cast(rework_used as varchar) as actual,
        'rework used ' || cast(rework_used as varchar) || ' of '
            || cast(rework_available as varchar) || ' available' as message
    from deliverables
    where rework_used > rework_available
),

push_failed as (
    select
        'sartiq' as source,
        'push_failed' as alert_type,
        product_key,
        deliverable_key,
        'COMPLETED' as expected,
        push_status as actual,
        'approved shot whose push to the DAM failed' as message
    from deliverables
    where status_code in ('APPROVED', 'COMPLETED')
        and push_status = 'FAILED'
),

main_without_look as (
    select
        'sartiq' as source,
        'main_product_without_look' as alert_type,
        main_products.product_id as product_key,
        cast(null as varchar) as deliverable_key,
        cast(null as varchar) as expected,
        cast(null as varchar) as actual,
        'main product of ' || shootings.shooting_name || ' (in production) has no look'
            as message
    from main_products
    inner join shootings
        on shootings.organization_id = main_products.organization_id
        and shootings.shooting_id = main_products.shooting_id
    anti join looks
        on looks.shooting_id = main_products.shooting_id
        and looks.product_id = main_products.product_id
    where shootings.phase = 'PRODUCTION'
),

overdue as (
    select
        'sartiq' as source,
        'shooting_overdue' as alert_type,
        cast(null as varchar) as product_key,
        cast(null as varchar) as deliverable_key,
        strftime(shootings.due_date, '%Y-%m-%d') as expected,
        coalesce(shootings.phase, '(no phase)') as actual,
        'shooting ' || shootings.shooting_name || ' was due '
            || strftime(shootings.due_date, '%Y-%m-%d') || ' and is not closed' as message
    from shootings
    cross join settings
    where shootings.due_date < settings.built_at
        and shootings.phase is distinct from 'CLOSED'
),

all_alerts as (
    select * from outside_guideline
    union all by name
    select * from back_without_image
    union all by name
    select * from rework_over
    union all by name
    select * from push_failed
    union all by name
    select * from main_without_look
    union all by name
    select * from overdue
)

select * from all_alerts
