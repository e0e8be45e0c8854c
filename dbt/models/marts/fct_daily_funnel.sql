with

page_views as (
    select * from {{ ref('stg_lake__page_views') }}
),

searches as (
    select distinct session_id, cast(searched_at as date) as search_date
    from {{ ref('stg_lake__search_impressions') }}
),

cart_adds as (
    select distinct customer_id, cast(added_at as date) as add_date
    from {{ ref('stg_lake__cart_adds') }}
    where customer_id is not null
),

orders as (
    select distinct customer_id, order_date
    from {{ ref('stg_lake__orders') }}
),

-- A session's day and its signed-in shopper, if any page of that day named one: cart adds and
-- orders carry the customer, not the session, so they reach a session through its shopper.
sessions as (
    select
        session_id,
        view_date,
        max(customer_id) as customer_id
    from page_views
    group by session_id, view_date
),

stages as (
    select
        sessions.view_date,
        sessions.session_id,
        searches.session_id is not null as searched,
        cart_adds.customer_id is not null as added_to_cart,
        orders.customer_id is not null as ordered
    from sessions
    left join searches
        on sessions.session_id = searches.session_id
        and sessions.view_date = searches.search_date
    left join cart_adds
        on sessions.customer_id = cart_adds.customer_id
        and sessions.view_date = cart_adds.add_date
    left join orders
        on sessions.customer_id = orders.customer_id
        and sessions.view_date = orders.order_date
),

final as (
    select
        view_date as funnel_date,
        count(*) as sessions,
        count(*) filter (where searched) as searching_sessions,
        count(*) filter (where added_to_cart) as carting_sessions,
        count(*) filter (where ordered) as ordering_sessions
    from stages
    group by view_date
)

select * from final
