-- Grand Shooting shooting methods (packshot, on model...).
with source as (
    select * from raw.grandshooting__shooting_methods
),

renamed as (
    select
        account_id,
        shooting_method_id,
        shootingmethod as shooting_method
    from source
    where _deleted_at is null
)

select * from renamed
