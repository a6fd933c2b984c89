-- Technical spec alerts: current deliverables at a spec-checked step (Grand Shooting: the
-- export/validation bench) against the formats of their product's guideline. A picture is
-- held to the formats of its own view type when the guideline has formats for it, else to all
-- of the guideline's formats; an attribute passes when any of those formats accepts it.
-- Unknown dimensions, size or file type are not judged; a missing ICC profile is wrong.
-- File sizes are bytes, guideline sizes kilobytes (1 KB = 1024 bytes).
with guidelines as (
    select * from intermediate.product_guidelines
),

deliverables as (
    select
        deliverables.*,
        guidelines.guideline_origin,
        guidelines.guideline_key,
        guidelines.required_views
    from intermediate.deliverables as deliverables
    inner join guidelines
        on guidelines.source = deliverables.source
        and guidelines.product_key = deliverables.product_key
    where deliverables.spec_checked
),

formats as (
    select * from intermediate.guideline_formats
),

-- Formats of the picture's own view type, when its guideline requires that view and has some.
own_view as (
    select
        deliverables.*,
        formats.width as format_width,
        formats.height as format_height,
        formats.max_width,
        formats.authorize_larger,
        formats.icc_profile as format_icc,
        formats.file_format as format_file_format,
        formats.max_file_size_kb
    from deliverables
    inner join formats
        on formats.source = deliverables.source
        and formats.guideline_origin = deliverables.guideline_origin
        and formats.guideline_key = deliverables.guideline_key
        and formats.view_code = deliverables.view_type
    where list_contains(deliverables.required_views, formats.view_code)
),

-- Otherwise every format of the guideline (for the views it requires).
any_view as (
    select
        deliverables.*,
        formats.width as format_width,
        formats.height as format_height,
        formats.max_width,
        formats.authorize_larger,
        formats.icc_profile as format_icc,
        formats.file_format as format_file_format,
        formats.max_file_size_kb
    from deliverables
    anti join own_view
        on own_view.source = deliverables.source
        and own_view.deliverable_key = deliverables.deliverable_key
    inner join formats
        on formats.source = deliverables.source
        and formats.guideline_origin = deliverables.guideline_origin
        and formats.guideline_key = deliverables.guideline_key
    where formats.view_code is null
        or list_contains(deliverables.required_views, formats.view_code)
),

applicable as (
    select
        source,
        deliverable_key,
        product_key,
        width as actual_width,
        height as actual_height,
        file_size as actual_size,
        icc_profile as actual_icc,
        file_format as actual_format,
        format_width as width,
        format_height as height,
        max_width,
        authorize_larger,
        format_icc as icc_profile,
        case upper(trim(format_file_format))
            when 'JPEG' then 'JPG'
            when 'TIFF' then 'TIF'
            else upper(trim(format_file_format))
        end as file_format,
        max_file_size_kb
    from (
        select * from own_view
        union all
        select * from any_view
    )
),

judged as (
    select
        source,
        deliverable_key,
        product_key,
        case
            when width is null and height is null then null
            else (
                width is null
                or case
                    when authorize_larger
                        then actual_width >= width and (max_width is null or actual_width <= max_width)
                    else actual_width = width
                end
            ) and (
                height is null
                or case when authorize_larger then actual_height >= height else actual_height = height end
            )
        end as dimensions_ok,
        case
            when width is null and height is null then null
            else case when authorize_larger then '>=' else '' end
                || coalesce(cast(width as varchar), 'any') || 'x' || coalesce(cast(height as varchar), 'any')
        end as dimensions_expected,
        cast(actual_width as varchar) || 'x' || cast(actual_height as varchar) as dimensions_actual,
        case
            when icc_profile is null then null
            else coalesce(lower(trim(actual_icc)) = lower(trim(icc_profile)), false)
        end as icc_ok,
        icc_profile,
        coalesce(actual_icc, '(none)') as icc_actual,
        case when file_format is null then null else actual_format = file_format end as format_ok,
        file_format,
        actual_format,
        case
            when max_file_size_kb is null then null
            else actual_size <= max_file_size_kb * 1024
        end as size_ok,
        max_file_size_kb,
        actual_size
    from applicable
),

per_deliverable as (
    select
        source,
        deliverable_key,
        product_key,
        bool_or(dimensions_ok) as dimensions_ok,
        string_agg(distinct dimensions_expected, ' or ' order by dimensions_expected) as dimensions_expected,
        any_value(dimensions_actual) as dimensions_actual,
        bool_or(icc_ok) as icc_ok,
        string_agg(distinct icc_profile, ' or ' order by icc_profile) as icc_expected,
        any_value(icc_actual) as icc_actual,
        bool_or(format_ok) as format_ok,
        string_agg(distinct file_format, ' or ' order by file_format) as format_expected,
        any_value(actual_format) as format_actual,
        bool_or(size_ok) as size_ok,
        max(max_file_size_kb) as size_limit_kb,
        any_value(actual_size) as size_actual
    from judged
    group by all
),

alerts as (
    select
        source,
        'wrong_dimensions' as alert_type,
        product_key,
        deliverable_key,
        dimensions_expected as expected,
        dimensions_actual as actual
    from per_deliverable
    where not dimensions_ok
    union all
    select
        source,
        'wrong_icc_profile' as alert_type,
        product_key,
        deliverable_key,
        icc_expected as expected,
        icc_actual as actual
    from per_deliverable
    where not icc_ok
    union all
    select
        source,
        'wrong_file_format' as alert_type,
        product_key,
        deliverable_key,
        format_expected as expected,
        format_actual as actual
    from per_deliverable
    where not format_ok
    union all
    select
        source,
        'file_too_large' as alert_type,
        product_key,
        deliverable_key,
        '<= ' || regexp_replace(cast(size_limit_kb as varchar), '\.0$', '') || ' KB' as expected,
        cast(round(size_actual / 1024.0, 1) as varchar) || ' KB' as actual
    from per_deliverable
    where not size_ok
)

select * from alerts
