-- Grand Shooting pictures, one row per picture copy (one copy per bench it went through).
-- Rename and cast only; rows a full refresh marked as gone are left out.
with source as (
    select * from raw.grandshooting__pictures
),

renamed as (
    select
        account_id,
        picture_id,
        bench_id,
        bench_root_id,
        benchsteptype as bench_step,
        benchstatus as bench_status,
        cast(picturestatus as varchar) as status_code,
        coalesce(file_path, path) as file_path,
        smalltext as file_name,
        filesize as file_size,
        width,
        height,
        icc_profile,
        hash,
        view_type_code,
        export as export_name,
        shootingmethod as shooting_method,
        -- The API sends the main reference as a number or a string: keep both readings.
        try_cast(reference_id as bigint) as main_reference_id,
        case when try_cast(reference_id as bigint) is null then reference_id end
            as main_reference_text,
        reference_ref,
        coalesce(try_cast(reference_ids as bigint[]), []) as secondary_reference_ids,
        coalesce(try_cast(refs as varchar[]), []) as secondary_refs,
        look_id,
        parent_id,
        coalesce(json_array_length(child_ids), 0) as child_count,
        coalesce(try_cast(alerts as varchar[]), []) as api_alerts,
        date_cre as created_at,
        date_mod as modified_at,
        validation_date as validated_at,
        transfer_date as transferred_at,
        _synced_at as synced_at
    from source
    where _deleted_at is null
)

select * from renamed
