-- Technical spec alerts: current deliverables at a spec-checked step (Grand Shooting: the
-- export/validation bench) against the formats of the guideline of EACH product they count for
-- (a look picture: every member product; see intermediate.deliverable_products), one alert per
-- product whose guideline the picture breaks. Against one guideline, a picture is held to the
-- formats of its own view type when that guideline has formats for it, else to all of the
-- guideline's formats; an attribute passes when any of those formats accepts it.
-- Unknown dimensions, size or file type are not judged; a missing ICC profile is wrong.
-- File sizes are bytes, guideline sizes kilobytes (1 KB = 1024 bytes).
-- The checks run once per spec profile (guideline, view type, required views, dimensions, ICC,
-- format: few distinct values however large the catalog), then join back to the deliverables;
-- the size limit is the largest of the applicable formats' limits (passing any one is passing
-- the largest), so file sizes, which are all different, need no profile of their own.
with guidelines as (
    select * from intermediate.product_guidelines
),

-- The distinct (guideline, required views) pairs: few, numbered so that the steps below join
-- on a number rather than on the list of views.
guideline_sets as (
    select
        *,
        row_number() over () as guideline_set
    from (
        select distinct
            source,
            guideline_origin,
            guideline_key,
            required_views
        from guidelines
    )
),

links as (
    select * from intermediate.deliverable_products
),

-- One row per (deliverable, product it counts for), with that product's guideline.
deliverables as (
    select
        deliverables.source,
        deliverables.deliverable_key,
        links.product_key,
        deliverables.view_type,
        deliverables.width,
        deliverables.height,
        deliverables.icc_profile,
        deliverables.file_format,
        deliverables.file_size,
        guideline_sets.guideline_set
    from intermediate.deliverables as deliverables
    inner join links
        on links.source = deliverables.source
        and links.deliverable_key = deliverables.deliverable_key
    inner join guidelines
        on guidelines.source = links.source
        and guidelines.product_key = links.product_key
    inner join guideline_sets
        on guideline_sets.source = guidelines.source
        and guideline_sets.guideline_origin = guidelines.guideline_origin
        and guideline_sets.guideline_key = guidelines.guideline_key
        and guideline_sets.required_views is not distinct from guidelines.required_views
    where deliverables.spec_checked
),

formats as (
    select * from intermediate.guideline_formats
),

profiles as (
    select
        profiles.*,
        guideline_sets.guideline_origin,
        guideline_sets.guideline_key,
        guideline_sets.required_views,
        row_number() over () as profile_id
    from (
        select distinct
            source,
            guideline_set,
            view_type,
            width,
            height,
            icc_profile,
            file_format
        from deliverables
    ) as profiles
    inner join guideline_sets
        on guideline_sets.guideline_set = profiles.guideline_set
),

-- Formats of the picture's own view type, when its guideline requires that view and has some.
own_view as (
    select
        profiles.*,
        formats.width as format_width,
        formats.height as format_height,
        formats.max_width,
        formats.authorize_larger,
        formats.icc_profile as format_icc,
        formats.file_format as format_file_format,
        formats.max_file_size_kb
    from profiles
    inner join formats
        on formats.source = profiles.source
        and formats.guideline_origin = profiles.guideline_origin
        and formats.guideline_key = profiles.guideline_key
        and formats.view_code = profiles.view_type
    where list_contains(profiles.required_views, formats.view_code)
),

-- Otherwise every format of the guideline (for the views it requires).
any_view as (
    select
        profiles.*,
        formats.width as format_width,
        formats.height as format_height,
        formats.max_width,
        formats.authorize_larger,
        formats.icc_profile as format_icc,
        formats.file_format as format_file_format,
        formats.max_file_size_kb
    from profiles
    anti join own_view
        on own_view.profile_id = profiles.profile_id
    inner join formats
        on formats.source = profiles.source
        and formats.guideline_origin = profiles.guideline_origin
        and formats.guideline_key = profiles.guideline_key
    where formats.view_code is null
        or list_contains(profiles.required_views, formats.view_code)
),

applicable as (
    select
        profile_id,
        width as actual_width,
        height as actual_height,
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
        profile_id,
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
        max_file_size_kb
    from applicable
),

per_profile as (
    select
        profile_id,
        bool_or(dimensions_ok) as dimensions_ok,
        string_agg(distinct dimensions_expected, ' or ' order by dimensions_expected) as dimensions_expected,
        any_value(dimensions_actual) as dimensions_actual,
        bool_or(icc_ok) as icc_ok,
        string_agg(distinct icc_profile, ' or ' order by icc_profile) as icc_expected,
        any_value(icc_actual) as icc_actual,
        bool_or(format_ok) as format_ok,
        string_agg(distinct file_format, ' or ' order by file_format) as format_expected,
        any_value(actual_format) as format_actual,
        max(max_file_size_kb) as size_limit_kb
    from judged
    group by all
),

per_deliverable as (
    select
        deliverables.source,
        deliverables.deliverable_key,
        deliverables.product_key,
        per_profile.* exclude (profile_id),
        case
            when per_profile.size_limit_kb is null then null
            else deliverables.file_size <= per_profile.size_limit_kb * 1024
        end as size_ok,
        deliverables.file_size as size_actual
    from deliverables
    inner join profiles
        on profiles.source = deliverables.source
        and profiles.guideline_set = deliverables.guideline_set
        and profiles.view_type is not distinct from deliverables.view_type
        and profiles.width is not distinct from deliverables.width
        and profiles.height is not distinct from deliverables.height
        and profiles.icc_profile is not distinct from deliverables.icc_profile
        and profiles.file_format is not distinct from deliverables.file_format
    inner join per_profile
        on per_profile.profile_id = profiles.profile_id
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
