-- severity: error
-- The status breakdown counts every current deliverable exactly once.
with breakdown as (
    select coalesce(sum(deliverables), 0) as counted from marts.status_breakdown
),

deliverables as (
    select count(*) as current_deliverables from marts.deliverables
)

select *
from breakdown
cross join deliverables
where counted <> current_deliverables
