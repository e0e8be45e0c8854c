with

source as (
    {{ lake_source('page_views') }}
),

renamed as (
    select
        cast(page_view_id as varchar) as page_view_id,
        cast(session_id as varchar) as session_id,
        cast(customer_id as varchar) as customer_id,
        cast(page as varchar) as page_kind,
        cast(path as varchar) as path,
        cast(product_id as varchar) as product_id,
        -- the kind of the shop's page the shopper came from; null from elsewhere
        cast(referrer_page as varchar) as referrer_page_kind,
        cast(viewed_at as timestamp) as viewed_at,
        cast(viewed_at as date) as view_date
    from source
)

select * from renamed
