with

orders as (
    select * from {{ ref('stg_lake__orders') }}
),

order_items as (
    select * from {{ ref('stg_lake__order_items') }}
),

product_categories as (
    select * from {{ ref('stg_lake__product_categories') }}
),

category_lines as (
    -- each line counts under its product's leaf and under every node above it
    select
        product_categories.category_id,
        product_categories.category_path,
        product_categories.category_name,
        product_categories.category_level,
        orders.order_date,
        orders.order_id,
        order_items.quantity,
        order_items.line_total,
        {{ is_sold('orders.order_status') }} as is_sold,
        {{ is_refunded('orders.order_status') }} as is_refunded
    from order_items
    inner join orders on orders.order_id = order_items.order_id
    inner join product_categories on product_categories.product_id = order_items.product_id
),

days as (
    select
        category_id,
        category_path,
        -- one node, however its products spell it ("Books", "books"): the tree keeps one name
        min(category_name) as category_name,
        category_level,
        order_date,
        count(distinct order_id) as orders,
        count(distinct order_id) filter (where is_sold) as paid_orders,
        coalesce(sum(quantity) filter (where is_sold), 0) as units,
        coalesce(sum(line_total) filter (where is_sold), 0) as gross_revenue,
        coalesce(sum(line_total) filter (where is_refunded), 0) as refunds
    from category_lines
    group by category_id, category_path, category_level, order_date
),

final as (
    select
        category_id,
        category_path,
        category_name,
        category_level,
        order_date as day,
        orders,
        paid_orders,
        units,
        {{ money('gross_revenue') }} as gross_revenue,
        {{ money('refunds') }} as refunds,
        {{ money('gross_revenue - refunds') }} as net_revenue
    from days
)

select * from final
