-- Grand Shooting benches: each step (live, retouching, validation...) of each production.
with source as (
    select * from raw.grandshooting__benches
),

renamed as (
    select
        account_id,
        bench_id,
        root_id as production_id,
        parent_id as parent_bench_id,
        smalltext as bench_name,
        benchsteptype as bench_step,
        benchstatus as bench_status,
        step_label,
        shooting_method_id,
        startdate as starts_at,
        enddate as ends_at
    from source
    where _deleted_at is null
)

select * from renamed
