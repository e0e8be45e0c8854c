with

customers as (
    select * from {{ ref('stg_lake__customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

customer_orders as (
    select
        customer_id,
        min(placed_at) as first_order_at,
        max(placed_at) as last_order_at,
        count(*) as orders,
        count(*) filter (where is_paid) as paid_orders,
        sum(order_total) filter (where is_paid) as lifetime_value
    from orders
    group by customer_id
),

final as (
    select
        customers.customer_id,
        customers.customer_name,
        customers.email,
        customers.role,
        customers.registered_at,
        customer_orders.first_order_at,
        customer_orders.last_order_at,
        coalesce(customer_orders.orders, 0) as orders,
        coalesce(customer_orders.paid_orders, 0) as paid_orders,
        {{ money('coalesce(customer_orders.lifetime_value, 0)') }} as lifetime_value
    from customers
    left join customer_orders on customer_orders.customer_id = customers.customer_id
)

select * from final
