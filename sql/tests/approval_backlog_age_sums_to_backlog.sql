-- severity: error
-- The age buckets add up to the images waiting for approval, and those are the for-approval
-- deliverables whose own product is in scope or that are linked to no product.
with buckets as (
    select coalesce(sum(images), 0) as in_buckets from marts.approval_backlog_age
),

backlog as (
    select count(*) as waiting from marts.approval_backlog
),

deliverables as (
    select count(*) as for_approval
    from marts.deliverables as deliverables
    left join marts.products as products
        on products.source = deliverables.source
        and products.product_key = deliverables.product_key
    where deliverables.status_group = 'for_approval'
        and (coalesce(products.in_scope, false) or deliverables.product_key is null)
)

select *
from buckets
cross join backlog
cross join deliverables
where in_buckets <> waiting
    or waiting <> for_approval
