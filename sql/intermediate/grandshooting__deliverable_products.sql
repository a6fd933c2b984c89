-- Which catalog references each current Grand Shooting picture counts for.
-- A picture counts for its main reference (reference_id, or reference_ref), its secondary
-- references (reference_ids, refs) and, when it shows a look, every reference of that look.
-- link_rank orders the ways a link was found (1 = main reference); the lowest rank names
-- the picture's own product in marts.deliverables.
with pictures as not materialized (
    select * from intermediate.grandshooting__current_pictures
),

catalog as (
    select
        account_id,
        reference_id,
        ref
    from staging.grandshooting__references
),

look_members as (
    select * from staging.grandshooting__look_references
),

by_main_id as (
    select
        pictures.deliverable_key,
        catalog.ref,
        'reference_id' as link_type,
        1 as link_rank
    from pictures
    inner join catalog
        on catalog.account_id = pictures.account_id
        and catalog.reference_id = pictures.main_reference_id
),

by_main_text as (
    select
        pictures.deliverable_key,
        catalog.ref,
        'reference_id' as link_type,
        1 as link_rank
    from pictures
    inner join catalog
        on catalog.account_id = pictures.account_id
        and catalog.ref = pictures.main_reference_text
),

by_reference_ref as (
    select
        pictures.deliverable_key,
        catalog.ref,
        'reference_ref' as link_type,
        2 as link_rank
    from pictures
    inner join catalog
        on catalog.account_id = pictures.account_id
        and catalog.ref = pictures.reference_ref
),

secondary_ids as (
    select
        account_id,
        deliverable_key,
        unnest(secondary_reference_ids) as reference_id
    from pictures
),

by_secondary_id as (
    select
        secondary_ids.deliverable_key,
        catalog.ref,
        'reference_ids' as link_type,
        3 as link_rank
    from secondary_ids
    inner join catalog
        on catalog.account_id = secondary_ids.account_id
        and catalog.reference_id = secondary_ids.reference_id
),

secondary_refs as (
    select
        account_id,
        deliverable_key,
        unnest(secondary_refs) as ref
    from pictures
),

by_secondary_ref as (
    select
        secondary_refs.deliverable_key,
        catalog.ref,
        'refs' as link_type,
        4 as link_rank
    from secondary_refs
    inner join catalog
        on catalog.account_id = secondary_refs.account_id
        and catalog.ref = secondary_refs.ref
),

look_member_refs as (
    select
        look_members.account_id,
        look_members.look_id,
        catalog.ref
    from look_members
    inner join catalog
        on catalog.account_id = look_members.account_id
        and catalog.reference_id = look_members.reference_id
    union
    select
        look_members.account_id,
        look_members.look_id,
        catalog.ref
    from look_members
    inner join catalog
        on catalog.account_id = look_members.account_id
        and catalog.ref = look_members.ref
    where look_members.reference_id is null
),

by_look as (
    select
        pictures.deliverable_key,
        look_member_refs.ref,
        'look' as link_type,
        5 as link_rank
    from pictures
    inner join look_member_refs
        on look_member_refs.account_id = pictures.account_id
        and look_member_refs.look_id = pictures.look_id
),

all_links as (
    select * from by_main_id
    union all
    select * from by_main_text
    union all
    select * from by_reference_ref
    union all
    select * from by_secondary_id
    union all
    select * from by_secondary_ref
    union all
    select * from by_look
),

best_link as (
    select
        'grandshooting' as source,
        deliverable_key,
        ref as product_key,
        min(link_rank) as link_rank,
        first(link_type order by link_rank) as link_type
    from all_links
    group by all
)

select * from best_link
