with

source as (
    {{ lake_source('cart_adds') }}
),

renamed as (
    select
        cast(cart_id as varchar) as cart_id,
        cast(customer_id as varchar) as customer_id,
        cast(product_id as varchar) as product_id,
        cast(quantity as integer) as quantity,
        {{ money('unit_price') }} as unit_price,
        cast(search_id as varchar) as search_id,
        cast(recommendation_id as varchar) as recommendation_id,
        cast(added_at as timestamp) as added_at
    from source
)

select * from renamed
