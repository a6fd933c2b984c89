-- Grand Shooting technical formats that a file guideline may name by `format_id`.
with formats as (
    select * from staging.grandshooting__specification_formats
),

shaped as (
    select
        'grandshooting' as source,
        cast(format_id as varchar) as format_id,
        format_name,
        file_format,
        width,
        height,
        max_width,
        authorize_larger,
        icc_profile,
        max_file_size_kb,
        resolution
    from formats
    qualify row_number() over (partition by format_id order by account_id) = 1
)

select * from shaped
