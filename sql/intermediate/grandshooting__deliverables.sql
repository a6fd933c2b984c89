-- Current Grand Shooting pictures in the shape every source gives intermediate.deliverables.
-- Spec checks (dimensions, ICC, format, size) apply at the export/validation step (bench step
-- 40) only: live and retouching copies are work in progress.
with pictures as (
    select * from intermediate.grandshooting__current_pictures
),

links as (
    select * from intermediate.grandshooting__deliverable_products
),

benches as (
    select * from staging.grandshooting__benches
),

methods as (
    select * from staging.grandshooting__shooting_methods
),

own_product as (
    select
        deliverable_key,
        first(product_key order by link_rank, product_key) as product_key
    from links
    group by all
),

enriched as (
    select
        pictures.*,
        own_product.product_key,
        coalesce(pictures.bench_step, bench.bench_step) as step,
        coalesce(production.bench_name, bench.bench_name) as production,
        coalesce(
            pictures.shooting_method,
            bench_method.shooting_method,
            production_method.shooting_method
        ) as method,
        upper(regexp_extract(coalesce(pictures.file_name, pictures.file_path), '\.([A-Za-z0-9]+)$', 1))
            as extension
    from pictures
    left join own_product
        on own_product.deliverable_key = pictures.deliverable_key
    left join benches as bench
        on bench.account_id = pictures.account_id
        and bench.bench_id = pictures.bench_id
    left join benches as production
        on production.account_id = pictures.account_id
        and production.bench_id = coalesce(pictures.bench_root_id, bench.production_id)
    left join methods as bench_method
        on bench_method.account_id = pictures.account_id
        and bench_method.shooting_method_id = bench.shooting_method_id
    left join methods as production_method
        on production_method.account_id = pictures.account_id
        and production_method.shooting_method_id = production.shooting_method_id
),

shaped as (
    select
        'grandshooting' as source,
        deliverable_key,
        product_key,
        production,
        method as shooting_method,
        cast(step as varchar) as bench_step,
        case step
            when 10 then 'Live'
            when 20 then 'Phase 1'
            when 30 then 'Phase 2'
            when 40 then 'Export/Validation'
        end as stage,
        status_code,
        view_type_code as view_type,
        width,
        height,
        file_size,
        icc_profile,
        case extension
            when '' then null
            when 'JPEG' then 'JPG'
            when 'TIFF' then 'TIF'
            else extension
        end as file_format,
        file_name,
        hash,
        api_alerts,
        coalesce(step = 40, false) as spec_checked,
        created_at,
        modified_at,
        validated_at
    from enriched
)

select * from shaped
