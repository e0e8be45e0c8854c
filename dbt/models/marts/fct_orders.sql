with

orders as (
    select * from {{ ref('stg_lake__orders') }}
),

order_items as (
    select * from {{ ref('stg_lake__order_items') }}
),

payments as (
    select * from {{ ref('stg_lake__payments') }}
),

order_lines as (
    select
        order_id,
        count(*) as item_lines,
        sum(quantity) as units
    from order_items
    group by order_id
),

order_payments as (
    -- an order's payment status is the furthest any of its payments got
    select
        order_id,
        case max(
            case payment_status
                when 'captured' then 3
                when 'authorized' then 2
                when 'declined' then 1
            end
        )
            when 3 then 'captured'
            when 2 then 'authorized'
            when 1 then 'declined'
        end as payment_status,
        sum(case when payment_status = 'captured' then amount else 0 end) as amount_captured
    from payments
    group by order_id
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        orders.order_status,
        orders.currency,
        orders.placed_at,
        orders.order_date,
        coalesce(order_lines.item_lines, 0) as item_lines,
        coalesce(order_lines.units, 0) as units,
        orders.order_total,
        coalesce(order_payments.payment_status, 'none') as payment_status,
        {{ money('coalesce(order_payments.amount_captured, 0)') }} as amount_captured,
        orders.order_status in ('paid', 'fulfilled', 'shipped', 'delivered') as is_paid
    from orders
    left join order_lines on order_lines.order_id = orders.order_id
    left join order_payments on order_payments.order_id = orders.order_id
)

select * from final
