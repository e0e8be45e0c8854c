with

orders as (
    select * from {{ ref('stg_lake__orders') }}
),

order_items as (
    select * from {{ ref('stg_lake__order_items') }}
),

products as (
    select * from {{ ref('stg_lake__products') }}
),

seller_lines as (
    -- a line names the seller of the offer it was bought from; lines placed before offers
    -- existed name none, and were the product's lister's
    select
        coalesce(order_items.seller_id, products.seller_id) as seller_id,
        orders.order_date,
        orders.order_id,
        order_items.quantity,
        order_items.line_total,
        {{ is_sold('orders.order_status') }} as is_sold,
        {{ is_refunded('orders.order_status') }} as is_refunded
    from order_items
    inner join orders on orders.order_id = order_items.order_id
    left join products on products.product_id = order_items.product_id
),

days as (
    select
        seller_id,
        order_date,
        count(distinct order_id) as orders,
        count(distinct order_id) filter (where is_sold) as paid_orders,
        coalesce(sum(quantity) filter (where is_sold), 0) as units,
        coalesce(sum(line_total) filter (where is_sold), 0) as gross_revenue,
        count(distinct order_id) filter (where is_refunded) as refunded_orders,
        coalesce(sum(line_total) filter (where is_refunded), 0) as refunds
    from seller_lines
    group by seller_id, order_date
),

final as (
    select
        seller_id,
        order_date as day,
        orders,
        paid_orders,
        units,
        {{ money('gross_revenue') }} as gross_revenue,
        refunded_orders,
        {{ money('refunds') }} as refunds,
        {{ money('gross_revenue - refunds') }} as net_revenue
    from days
)

select * from final
