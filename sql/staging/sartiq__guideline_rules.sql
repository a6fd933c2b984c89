-- Conditional shot types of each shooting's default guideline: one row per rule group and
-- shot type. A group applies to a product whose field named by rule_kind equals rule_value.
with source as (
    select * from raw.sartiq__shootings
    where _deleted_at is null
),

rules as (
    select
        organization_id,
        id as shooting_id,
        unnest(
            coalesce(cast(json_extract(default_guidelines, '$.shot_type_rules') as json[]), [])
        ) as rule_group,
        generate_subscripts(
            coalesce(cast(json_extract(default_guidelines, '$.shot_type_rules') as json[]), []), 1
        ) as rule_position
    from source
),

rule_shot_types as (
    select
        organization_id,
        shooting_id,
        rule_position,
        json_extract_string(rule_group, '$.rule_kind') as rule_kind,
        json_extract_string(rule_group, '$.rule_value') as rule_value,
        unnest(coalesce(cast(json_extract(rule_group, '$.shot_types') as json[]), []))
            as shot_type,
        generate_subscripts(
            coalesce(cast(json_extract(rule_group, '$.shot_types') as json[]), []), 1
        ) as position
    from rules
),

renamed as (
    select
        organization_id,
        shooting_id,
        rule_position,
        rule_kind,
        rule_value,
        json_extract_string(shot_type, '$.id') as shot_type_id,
        json_extract_string(shot_type, '$.name') as shot_type_name,
        json_extract_string(shot_type, '$.view_angle') as view_angle,
        position
    from rule_shot_types
)

select * from renamed
