-- Grand Shooting look members: which references each look shows.
with source as (
    select * from raw.grandshooting__look_references
),

renamed as (
    select
        account_id,
        look_id,
        look_reference_id,
        reference_id,
        ref,
        main as is_main
    from source
    where _deleted_at is null
)

select * from renamed
