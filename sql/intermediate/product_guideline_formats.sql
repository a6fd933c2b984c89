-- The technical formats each product's pictures must meet, from the guideline that applies:
-- an API category's formats per view type (view_code set), or a file guideline's spec or
-- named format (view_code NULL: applies to every view).
with guidelines as (
    select * from intermediate.product_guidelines
),

source_views as (
    select * from intermediate.guideline_views
),

formats as (
    select * from intermediate.formats
),

file_guidelines as (
    select * from seeds.file_guidelines
),

api_formats as (
    select
        guidelines.source,
        guidelines.product_key,
        source_views.view_code,
        source_views.file_format,
        source_views.width,
        source_views.height,
        source_views.max_width,
        coalesce(source_views.authorize_larger, false) as authorize_larger,
        source_views.icc_profile,
        source_views.max_file_size_kb
    from guidelines
    inner join source_views
        on source_views.source = guidelines.source
        and source_views.guideline_key = guidelines.guideline_key
    where guidelines.guideline_origin = 'api_category'
        and list_contains(guidelines.required_views, source_views.view_code)
),

file_inline as (
    select
        guidelines.source,
        guidelines.product_key,
        cast(null as varchar) as view_code,
        file_guidelines.file_format,
        file_guidelines.width,
        file_guidelines.height,
        file_guidelines.max_width,
        coalesce(file_guidelines.authorize_larger, false) as authorize_larger,
        file_guidelines.icc_profile,
        file_guidelines.max_file_size_kb
    from guidelines
    inner join file_guidelines
        on file_guidelines.name = guidelines.guideline_key
    where guidelines.guideline_origin = 'file'
        and file_guidelines.format_id is null
),

file_named as (
    select
        guidelines.source,
        guidelines.product_key,
        cast(null as varchar) as view_code,
        formats.file_format,
        formats.width,
        formats.height,
        formats.max_width,
        coalesce(formats.authorize_larger, false) as authorize_larger,
        formats.icc_profile,
        formats.max_file_size_kb
    from guidelines
    inner join file_guidelines
        on file_guidelines.name = guidelines.guideline_key
    inner join formats
        on formats.source = guidelines.source
        and formats.format_id = file_guidelines.format_id
    where guidelines.guideline_origin = 'file'
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
