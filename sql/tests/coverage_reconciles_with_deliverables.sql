-- severity: error
-- Validated images in coverage = validated current deliverables linked to in-scope products
-- (a deliverable counts once per product it is linked to).
with coverage as (
    select coalesce(sum(validated_images), 0) as in_coverage from marts.shotlist_coverage
),

linked as (
    select count(*) as in_deliverables
    from marts.deliverable_products as links
    inner join marts.deliverables as deliverables
        on deliverables.source = links.source
        and deliverables.deliverable_key = links.deliverable_key
    inner join marts.products as products
        on products.source = links.source
        and products.product_key = links.product_key
    where deliverables.coverage_bucket = 'validated'
        and products.in_scope
)

select *
from coverage
cross join linked
where in_coverage <> in_deliverables
