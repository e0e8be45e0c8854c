with

source as (
    {{ lake_source('products') }}
),

renamed as (
    select
        cast(product_id as varchar) as product_id,
        cast(seller_id as varchar) as seller_id,
        cast(title as varchar) as title,
        cast(brand as varchar) as brand,
        cast(category as varchar) as category,
        {{ money('price') }} as price,
        cast(currency as varchar) as currency,
        cast(rating as double precision) as rating,
        cast(rating_count as integer) as rating_count,
        cast(stock as integer) as stock,
        coalesce(cast(is_deleted as boolean), false) as is_deleted,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at
    from source
)

select * from renamed
