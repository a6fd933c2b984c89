-- One row per age bucket (0-2, 3-7, 8-14, over 14 days waiting) and scope cell of the own
-- product of the images waiting for approval (NULL cell for images linked to no product): the
-- report's backlog by age. Every cell that has a waiting image lists the four buckets, zeros
-- included, so a filtered sum shows them all. Sums to the rows of marts.approval_backlog.
with backlog as (
    select * from marts.approval_backlog
),

buckets as (
    select * from (
        values
            ('0-2 days', 1),
            ('3-7 days', 2),
            ('8-14 days', 3),
            ('over 14 days', 4)
    ) as buckets (age_bucket, age_bucket_order)
    union all
    -- Images with no modification date, only when there are some.
    select distinct
        age_bucket,
        age_bucket_order
    from backlog
    where age_bucket = 'unknown'
),

cells as (
    select distinct
        source,
        brand,
        collection,
        category,
        guideline
    from backlog
),

counts as (
    select
        source,
        brand,
        collection,
        category,
        guideline,
        age_bucket,
        count(*) as images,
        max(days_waiting) as oldest_days
    from backlog
    group by all
),

final as (
    select
        cells.source,
        cells.brand,
        cells.collection,
        cells.category,
        cells.guideline,
        buckets.age_bucket,
        buckets.age_bucket_order,
        coalesce(counts.images, 0) as images,
        counts.oldest_days
    from cells
    cross join buckets
    left join counts
        on counts.source = cells.source
        and counts.brand is not distinct from cells.brand
        and counts.collection is not distinct from cells.collection
        and counts.category is not distinct from cells.category
        and counts.guideline is not distinct from cells.guideline
        and counts.age_bucket = buckets.age_bucket
)

select * from final
