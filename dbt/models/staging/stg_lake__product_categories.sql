with

source as (
    {{ lake_source('product_categories') }}
),

renamed as (
    select
        cast(product_id as varchar) as product_id,
        cast(level as integer) as category_level,
        cast(category_id as varchar) as category_id,
        cast(category_path as varchar) as category_path,
        cast(category_name as varchar) as category_name
    from source
)

select * from renamed
