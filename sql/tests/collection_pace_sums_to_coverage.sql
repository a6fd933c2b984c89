-- severity: error
-- Each level of marts.collection_pace (collection, brand, brand and collection) covers every
-- product in scope once: its products, expected images and images left add up to
-- marts.shotlist_coverage's.
with levels as (
    select
        level,
        sum(products) as products,
        sum(expected_images) as expected_images,
        sum(images_left) as images_left
    from marts.collection_pace
    group by level
),

coverage as (
    select
        count(*) as products,
        sum(expected_images) as expected_images,
        sum(missing_images) as images_left
    from marts.shotlist_coverage
)

select levels.*
from levels
cross join coverage
where levels.products <> coverage.products
    or levels.expected_images is distinct from coverage.expected_images
    or levels.images_left is distinct from coverage.images_left
