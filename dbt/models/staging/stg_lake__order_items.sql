with

source as (
    {{ lake_source('order_items') }}
),

renamed as (
    select
        cast(order_id as varchar) as order_id,
        cast(customer_id as varchar) as customer_id,
        cast(product_id as varchar) as product_id,
        cast(quantity as integer) as quantity,
        {{ money('unit_price') }} as unit_price,
        {{ money('line_total') }} as line_total,
        cast(search_id as varchar) as search_id,
        cast(recommendation_id as varchar) as recommendation_id,
        cast(offer_id as varchar) as offer_id,
        cast(seller_id as varchar) as seller_id,
        cast(placed_at as timestamp) as placed_at
    from source
)

select * from renamed
