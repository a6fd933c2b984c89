-- Grand Shooting technical formats (size, ICC profile, file format) images must meet.
with source as (
    select * from raw.grandshooting__specification_formats
),

renamed as (
    select
        account_id,
        format_id,
        smalltext as format_name,
        file_format,
        width,
        height,
        max_width,
        coalesce(authorize_max_width, false) as authorize_larger,
        icc_profile,
        max_file_size as max_file_size_kb,
        resolution
    from source
    where _deleted_at is null
)

select * from renamed
