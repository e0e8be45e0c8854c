with

source as (
    {{ lake_source('orders') }}
),

renamed as (
    select
        cast(order_id as varchar) as order_id,
        cast(customer_id as varchar) as customer_id,
        lower(cast(status as varchar)) as order_status,
        cast(currency as varchar) as currency,
        {{ money('total') }} as order_total,
        cast(item_count as integer) as item_count,
        cast(placed_at as timestamp) as placed_at,
        cast(placed_at as date) as order_date
    from source
)

select * from renamed
