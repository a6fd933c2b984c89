-- Every source's current deliverables, classified by the status map (seeds.status_map, from
-- data/status_map.csv). Statuses that count as `excluded` (Grand Shooting: ignored, archived)
-- are not deliverables; a status missing from the map is kept as group `unmapped` and counts
-- in no coverage bucket. UNION POINT: a new source adds one `union all by name` branch.
with unioned as (
    select * from intermediate.grandshooting__deliverables
    union all by name
    select * from intermediate.sartiq__deliverables
    union all by name
    select * from intermediate.kitsu__deliverables
),

status_map as (
    select * from seeds.status_map
),

classified as (
    select
        unioned.*,
        -- A source may bring its own label (Sartiq: the shooting's status definitions).
        coalesce(unioned.source_status_label, status_map.status_label, unioned.status_code)
            as status_label,
        coalesce(status_map.status_group, 'unmapped') as status_group,
        status_map.counts_as as coverage_bucket,
        status_map.alert_type as status_alert
    from unioned
    left join status_map
        on status_map.source = unioned.source
        -- A source may classify a row by another code than the one it shows (status_map_code).
        and status_map.status_code = coalesce(unioned.status_map_code, unioned.status_code)
)

select * from classified
where coverage_bucket is distinct from 'excluded'
