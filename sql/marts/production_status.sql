-- One row per production, status and scope cell of the deliverable's own product (brand,
-- collection, category, guideline; NULL for a deliverable linked to no product): the counts
-- behind the report's "Status by production". Sums to the rows of marts.deliverables, like
-- marts.status_breakdown, whose brand and collection are the same.
with deliverables as (
    select * from marts.deliverables
),

products as (
    select * from marts.products
),

grouped as (
    select
        deliverables.source,
        deliverables.production,
        products.brand,
        products.collection,
        products.category_path as category,
        products.guideline,
        deliverables.status_code,
        deliverables.status_group,
        count(*) as deliverables
    from deliverables
    left join products
        on products.source = deliverables.source
        and products.product_key = deliverables.product_key
    group by all
)

select * from grouped
