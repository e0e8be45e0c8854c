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
        -- a variant names its family's parent and its option values (JSON text), a parent its
        -- option names; a standalone product neither
        cast(parent_id as varchar) as parent_id,
        cast(options as varchar) as variant_options,
        cast(option_names as varchar) as option_names,
        option_names is not null as is_family_parent,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at
    from source
)

select * from renamed
