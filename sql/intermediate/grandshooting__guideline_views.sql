-- Grand Shooting specification categories as source guidelines: one row per view type and
-- format (format columns NULL when a view type has none; view_code NULL for a category
-- without view types).
with categories as (
    select * from staging.grandshooting__specification_categories
),

view_types as (
    select * from staging.grandshooting__specification_view_types
),

formats as (
    select * from staging.grandshooting__specification_view_type_formats
),

joined as (
    select
        'grandshooting' as source,
        cast(categories.account_id as varchar) || ':' || cast(categories.category_id as varchar)
            as guideline_key,
        coalesce(categories.category_name, 'category ' || categories.category_id)
            as guideline_name,
        view_types.view_code,
        view_types.view_rang,
        view_types.view_label,
        view_types.shooting_method,
        formats.format_id,
        formats.file_format,
        formats.width,
        formats.height,
        formats.max_width,
        formats.authorize_larger,
        formats.icc_profile,
        formats.max_file_size_kb,
        formats.resolution
    from categories
    inner join view_types
        on view_types.account_id = categories.account_id
        and view_types.category_id = categories.category_id
    left join formats
        on formats.account_id = view_types.account_id
        and formats.category_id = view_types.category_id
        and formats.view_code = view_types.view_code
)

select * from joined
