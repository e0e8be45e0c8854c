with

orders as (
    select * from {{ ref('fct_orders') }}
),

days as (
    select
        order_date,
        count(*) as orders,
        count(*) filter (where is_paid) as paid_orders,
        count(*) filter (where order_status = 'cancelled') as cancelled_orders,
        coalesce(sum(order_total) filter (where is_paid), 0) as revenue,
        coalesce(sum(units) filter (where is_paid), 0) as units
    from orders
    group by order_date
),

final as (
    select
        order_date,
        orders,
        paid_orders,
        cancelled_orders,
        {{ money('revenue') }} as revenue,
        case
            when paid_orders > 0 then {{ money('revenue / paid_orders') }}
            else {{ money('0') }}
        end as average_order_value,
        units
    from days
)

select * from final
