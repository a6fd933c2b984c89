-- severity: error
-- Status by production counts every current deliverable once, in its own status group.
with counted as (
    select
        status_group,
        sum(deliverables) as counted
    from marts.production_status
    group by all
),

deliverables as (
    select
        status_group,
        count(*) as current_deliverables
    from marts.deliverables
    group by all
)

select *
from counted
full outer join deliverables
    on deliverables.status_group is not distinct from counted.status_group
where counted.counted is distinct from deliverables.current_deliverables
