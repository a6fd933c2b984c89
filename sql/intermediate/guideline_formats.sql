-- The technical formats of every guideline, per source: an API category's formats per view
-- type (view_code set), or a file guideline's spec or named format (view_code NULL: every
-- view). Kept per guideline, not per product, so spec checks join a few rows per picture.
with source_views as (
    select * from intermediate.guideline_views
),

formats as (
    select * from intermediate.formats
),

file_guidelines as (
    select * from seeds.file_guidelines
),

sources as (
    select distinct source from intermediate.products
),

api_formats as (
    select
        source,
        'api_category' as guideline_origin,
        guideline_key,
        view_code,
        file_format,
        width,
        height,
        max_width,
        coalesce(authorize_larger, false) as authorize_larger,
        icc_profile,
        max_file_size_kb
    from source_views
),

file_inline as (
    select
        sources.source,
        'file' as guideline_origin,
        file_guidelines.name as guideline_key,
        cast(null as varchar) as view_code,
        file_guidelines.file_format,
        file_guidelines.width,
        file_guidelines.height,
        file_guidelines.max_width,
        coalesce(file_guidelines.authorize_larger, false) as authorize_larger,
        file_guidelines.icc_profile,
        file_guidelines.max_file_size_kb
    from file_guidelines
    cross join sources
    where file_guidelines.format_id is null
),

file_named as (
    select
        formats.source,
        'file' as guideline_origin,
        file_guidelines.name as guideline_key,
        cast(null as varchar) as view_code,
        formats.file_format,
        formats.width,
        formats.height,
        formats.max_width,
        coalesce(formats.authorize_larger, false) as authorize_larger,
        formats.icc_profile,
        formats.max_file_size_kb
    from file_guidelines
    inner join formats
        on formats.format_id = file_guidelines.format_id
),

all_formats as (
    select * from api_formats
    union all by name
    select * from file_inline
    union all by name
    select * from file_named
)

select *
from all_formats
where file_format is not null
    or width is not null
    or height is not null
    or icc_profile is not null
    or max_file_size_kb is not null
