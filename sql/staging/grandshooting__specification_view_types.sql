-- One row per view type of each specification category, with its list of formats still as JSON.
-- A category without view types keeps one row with a NULL view code.
with source as (
    select * from raw.grandshooting__specification_categories
    where _deleted_at is null
),

view_types as (
    select
        account_id,
        category_id,
        unnest(
            case
                when json_array_length(view_types) > 0 then cast(view_types as json[])
                else [null::json]
            end
        ) as view_type
    from source
),

renamed as (
    select
        account_id,
        category_id,
        json_extract_string(view_type, '$.code') as view_code,
        try_cast(json_extract_string(view_type, '$.rang') as double) as view_rang,
        json_extract_string(view_type, '$.smalltext') as view_label,
        nullif(trim(json_extract_string(view_type, '$.shootingmethod')), '') as shooting_method,
        coalesce(json_extract(view_type, '$.formats'), '[]') as formats
    from view_types
)

select * from renamed
