with

source as (
    {{ lake_source('recommendation_impressions') }}
),

renamed as (
    select
        cast(recommendation_id as varchar) as recommendation_id,
        cast(session_id as varchar) as session_id,
        cast(customer_id as varchar) as customer_id,
        cast(surface as varchar) as surface,
        cast(anchor_product_id as varchar) as anchor_product_id,
        cast(recommender as varchar) as recommender,
        cast(strategy as varchar) as strategy,
        -- the shopper's A/B arm (control: served without models)
        cast(arm as varchar) as arm,
        cast(product_id as varchar) as product_id,
        cast(position as integer) as position,
        cast(score as double precision) as score,
        cast(shown_at as timestamp) as shown_at
    from source
)

select * from renamed
