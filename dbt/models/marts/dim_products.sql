with

products as (
    select * from {{ ref('stg_lake__products') }}
),

order_items as (
    select * from {{ ref('stg_lake__order_items') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

impressions as (
    select * from {{ ref('stg_lake__search_impressions') }}
),

clicks as (
    select * from {{ ref('stg_lake__clicks') }}
),

sales as (
    -- only paid orders count as sold; a declined checkout moved no goods
    select
        order_items.product_id,
        sum(order_items.quantity) as units_sold,
        sum(order_items.line_total) as revenue
    from order_items
    inner join orders on orders.order_id = order_items.order_id
    where orders.is_paid
    group by order_items.product_id
),

impression_counts as (
    select product_id, count(*) as impressions
    from impressions
    group by product_id
),

click_counts as (
    select product_id, count(*) as clicks
    from clicks
    group by product_id
),

final as (
    select
        products.product_id,
        products.seller_id,
        products.title,
        products.brand,
        products.category,
        products.price,
        products.currency,
        products.rating,
        products.rating_count,
        products.stock,
        products.is_deleted,
        -- the family a variant belongs to (its own id for a standalone product or a parent), so
        -- an analyst can sum a family's sizes and colours
        coalesce(products.parent_id, products.product_id) as family_id,
        products.variant_options,
        products.is_family_parent,
        coalesce(sales.units_sold, 0) as units_sold,
        {{ money('coalesce(sales.revenue, 0)') }} as revenue,
        coalesce(impression_counts.impressions, 0) as impressions,
        coalesce(click_counts.clicks, 0) as clicks,
        case
            when coalesce(impression_counts.impressions, 0) > 0
                then {{ share('coalesce(click_counts.clicks, 0)', 'impression_counts.impressions', 4) }}
            else 0.0
        end as ctr
    from products
    left join sales on sales.product_id = products.product_id
    left join impression_counts on impression_counts.product_id = products.product_id
    left join click_counts on click_counts.product_id = products.product_id
)

select * from final
