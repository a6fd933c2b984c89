-- Every source's products, one row per (source, product_key), and whether the configured
-- scope includes them. UNION POINT: a new source adds one `union all by name` branch.
-- Scope: each non-empty list of the [scope] config must match (shotlist by name or id,
-- collection, brand; case-insensitive); with no list every product is in scope.
with unioned as (
    select * from intermediate.grandshooting__products
    union all by name
    select * from intermediate.sartiq__products
    union all by name
    select * from intermediate.kitsu__products
),

filters as (
    select
        coalesce(list(lower(trim(value))) filter (where kind = 'shotlist'), []) as shotlists,
        coalesce(list(lower(trim(value))) filter (where kind = 'collection'), []) as collections,
        coalesce(list(lower(trim(value))) filter (where kind = 'brand'), []) as brands
    from seeds.scope_filters
),

scoped as (
    select
        unioned.*,
        -- A source may flag products outside every shotlist (`tracked = false`): never in scope.
        coalesce(unioned.tracked, true)
        and (
            len(filters.shotlists) = 0
            or coalesce(list_contains(filters.shotlists, lower(trim(unioned.shotlist))), false)
            or coalesce(list_contains(filters.shotlists, lower(trim(unioned.shotlist_id))), false)
        )
        and (
            len(filters.collections) = 0
            or coalesce(list_contains(filters.collections, lower(trim(unioned.collection))), false)
        )
        and (
            len(filters.brands) = 0
            or coalesce(list_contains(filters.brands, lower(trim(unioned.brand))), false)
        ) as in_scope
    from unioned
    cross join filters
)

select * from scoped
