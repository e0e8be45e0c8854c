with

source as (
    {{ lake_source('payments') }}
),

renamed as (
    select
        cast(payment_id as varchar) as payment_id,
        cast(order_id as varchar) as order_id,
        lower(cast(status as varchar)) as payment_status,
        {{ money('amount') }} as amount,
        cast(currency as varchar) as currency,
        cast(decline_code as varchar) as decline_code,
        cast(occurred_at as timestamp) as occurred_at
    from source
)

select * from renamed
