-- Kitsu shots with their sequence (the toolkit's shooting) and episode, when there is one.
with entities as (
    select * from intermediate.kitsu__live_entities
),

shots as (
    select * from entities
    where entity_kind = 'Shot'
),

parents as (
    select * from entities
    where entity_kind in ('Sequence', 'Episode')
),

named as (
    select
        shots.instance,
        shots.entity_id as shot_id,
        shots.entity_name as shot_name,
        shots.project_id,
        shots.project_name,
        shots.max_retakes,
        sequences.entity_id as sequence_id,
        sequences.entity_name as sequence_name,
        episodes.entity_name as episode_name,
        shots.is_canceled,
        shots.nb_frames,
        shots.frame_in,
        shots.frame_out,
        shots.fps,
        shots.created_at,
        shots.updated_at
    from shots
    left join parents as sequences
        on sequences.instance = shots.instance
        and sequences.entity_id = shots.parent_id
        and sequences.entity_kind = 'Sequence'
    left join parents as episodes
        on episodes.instance = sequences.instance
        and episodes.entity_id = sequences.parent_id
        and episodes.entity_kind = 'Episode'
)

select * from named
