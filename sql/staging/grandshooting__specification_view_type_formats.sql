-- One row per format of each view type of each specification category.
with source as (
    select * from raw.grandshooting__specification_categories
    where _deleted_at is null
),

view_types as (
    select
        account_id,
        category_id,
        unnest(cast(coalesce(view_types, '[]') as json[])) as view_type
    from source
),

formats as (
    select
        account_id,
        category_id,
        json_extract_string(view_type, '$.code') as view_code,
        unnest(cast(coalesce(json_extract(view_type, '$.formats'), '[]') as json[])) as format
    from view_types
),

renamed as (
    select
        account_id,
        category_id,
        view_code,
        json_extract_string(format, '$.format_id') as format_id,
        json_extract_string(format, '$.smalltext') as format_name,
        json_extract_string(format, '$.file_format') as file_format,
        try_cast(json_extract_string(format, '$.width') as bigint) as width,
        try_cast(json_extract_string(format, '$.height') as bigint) as height,
        try_cast(json_extract_string(format, '$.max_width') as bigint) as max_width,
        coalesce(try_cast(json_extract_string(format, '$.authorize_max_width') as boolean), false)
            as authorize_larger,
        json_extract_string(format, '$.icc_profile') as icc_profile,
        try_cast(json_extract_string(format, '$.max_file_size') as double) as max_file_size_kb,
        try_cast(json_extract_string(format, '$.resolution') as double) as resolution
    from formats
)

select * from renamed
