with

source as (
    {{ lake_source('search_impressions') }}
),

renamed as (
    select
        cast(search_id as varchar) as search_id,
        cast(session_id as varchar) as session_id,
        cast(customer_id as varchar) as customer_id,
        cast(query as varchar) as search_query,
        cast(product_id as varchar) as product_id,
        cast(position as integer) as position,
        cast(index_score as double precision) as index_score,
        cast(ranker as varchar) as ranker,
        -- in an interleaved search, the ranker version that placed this result
        cast(team as varchar) as team,
        cast(arm as varchar) as arm,
        -- randomised logging: the results at this position and the next were swapped
        cast(swapped_at as integer) as swapped_at,
        cast(searched_at as timestamp) as searched_at
    from source
)

select * from renamed
