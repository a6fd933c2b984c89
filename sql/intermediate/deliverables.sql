-- Every source's current deliverables, classified by the status map (seeds.status_map, from
-- data/status_map.csv). Statuses that count as `excluded` (Grand Shooting: ignored, archived)
-- are not deliverables; a status missing from the map is kept as group `unmapped` and counts
-- in no coverage bucket. UNION POINT: a new source adds one `union all by name` branch.
with unioned as (
    select * from intermediate.grandshooting__deliverables
),

status_map as (
    select * from seeds.status_map
),

classified as (
    select
        unioned.*,
        coalesce(status_map.status_label, unioned.status_code) as status_label,
        coalesce(status_map.status_group, 'unmapped') as status_group,
        status_map.counts_as as coverage_bucket,
        status_map.alert_type as status_alert
    from unioned
    left join status_map
        on status_map.source = unioned.source
        and status_map.status_code = unioned.status_code
)

select * from classified
where coverage_bucket is distinct from 'excluded'
