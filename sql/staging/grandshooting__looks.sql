-- Grand Shooting looks: references worn or shown together on the same images.
with source as (
    select * from raw.grandshooting__looks
),

renamed as (
    select
        account_id,
        look_id,
        name as look_name,
        status as look_status
    from source
    where _deleted_at is null
)

select * from renamed
