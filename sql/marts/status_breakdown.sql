-- Counts of current deliverables per scope (source, production, shooting method, brand,
-- collection), stage and status, with each count's share of its scope. Sums to the number of
-- rows of marts.deliverables.
with deliverables as (
    select * from marts.deliverables
),

products as (
    select * from intermediate.products
),

grouped as (
    select
        deliverables.source,
        deliverables.production,
        deliverables.shooting_method,
        products.brand,
        products.collection,
        deliverables.bench_step,
        deliverables.stage,
        deliverables.status_code,
        deliverables.status_label,
        deliverables.status_group,
        -- Sartiq: the shooting's own order of its statuses (worst to best); NULL elsewhere.
        deliverables.status_sorting,
        count(*) as deliverables
    from deliverables
    left join products
        on products.source = deliverables.source
        and products.product_key = deliverables.product_key
    group by all
),

final as (
    select
        *,
        deliverables / sum(deliverables) over (
            partition by source, production, shooting_method, brand, collection
        ) as share
    from grouped
)

select * from final
