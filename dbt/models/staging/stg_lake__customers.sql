with

source as (
    {{ lake_source('customers') }}
),

renamed as (
    select
        cast(customer_id as varchar) as customer_id,
        cast(name as varchar) as customer_name,
        cast(email as varchar) as email,
        cast(role as varchar) as role,
        cast(registered_at as timestamp) as registered_at
    from source
)

select * from renamed
