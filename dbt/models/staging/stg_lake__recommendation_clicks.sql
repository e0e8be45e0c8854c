with

source as (
    {{ lake_source('recommendation_clicks') }}
),

renamed as (
    select
        cast(recommendation_id as varchar) as recommendation_id,
        cast(session_id as varchar) as session_id,
        cast(customer_id as varchar) as customer_id,
        cast(product_id as varchar) as product_id,
        cast(position as integer) as position,
        cast(clicked_at as timestamp) as clicked_at
    from source
)

select * from renamed
