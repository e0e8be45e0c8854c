with

search_impressions as (
    select * from {{ ref('stg_lake__search_impressions') }}
),

recommendation_impressions as (
    select * from {{ ref('stg_lake__recommendation_impressions') }}
),

search_clicks as (
    select * from {{ ref('stg_lake__clicks') }}
),

recommendation_clicks as (
    select * from {{ ref('stg_lake__recommendation_clicks') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

searches as (
    select
        search_id,
        customer_id,
        arm,
        cast(min(searched_at) as date) as day
    from search_impressions
    where arm is not null
    group by search_id, customer_id, arm
),

recommendations as (
    select
        recommendation_id,
        customer_id,
        arm,
        cast(min(shown_at) as date) as day
    from recommendation_impressions
    where arm is not null
    group by recommendation_id, customer_id, arm
),

exposures as (
    select customer_id, arm, day from searches
    union
    select customer_id, arm, day from recommendations
),

arms as (
    -- a shopper's arm is drawn once from their id: every list they saw names the same one
    select distinct customer_id, arm from exposures
),

search_counts as (
    select
        searches.day,
        searches.arm,
        count(distinct searches.search_id) as searches,
        count(search_clicks.search_id) as search_clicks_at_10
    from searches
    left join search_clicks
        on search_clicks.search_id = searches.search_id
        and search_clicks.position <= 10
    group by searches.day, searches.arm
),

recommendation_counts as (
    select
        recommendations.day,
        recommendations.arm,
        count(distinct recommendations.recommendation_id) as recommendation_lists,
        count(recommendation_clicks.recommendation_id) as recommendation_clicks_at_10
    from recommendations
    left join recommendation_clicks
        on recommendation_clicks.recommendation_id = recommendations.recommendation_id
        and recommendation_clicks.position <= 10
    group by recommendations.day, recommendations.arm
),

shopper_counts as (
    select day, arm, count(distinct customer_id) as shoppers
    from exposures
    group by day, arm
),

sales as (
    -- paid orders placed that day by the arm's shoppers, whatever list led to them
    select
        orders.order_date as day,
        arms.arm,
        count(*) as paid_orders,
        sum(orders.order_total) as revenue
    from orders
    inner join arms on arms.customer_id = orders.customer_id
    where orders.is_paid
    group by orders.order_date, arms.arm
),

days as (
    select day, arm from shopper_counts
    union
    select day, arm from sales
),

final as (
    select
        days.day,
        days.arm,
        coalesce(shopper_counts.shoppers, 0) as shoppers,
        coalesce(search_counts.searches, 0) as searches,
        coalesce(search_counts.search_clicks_at_10, 0) as search_clicks_at_10,
        coalesce(recommendation_counts.recommendation_lists, 0) as recommendation_lists,
        coalesce(recommendation_counts.recommendation_clicks_at_10, 0)
            as recommendation_clicks_at_10,
        coalesce(sales.paid_orders, 0) as paid_orders,
        {{ money('coalesce(sales.revenue, 0)') }} as revenue
    from days
    left join shopper_counts on shopper_counts.day = days.day and shopper_counts.arm = days.arm
    left join search_counts on search_counts.day = days.day and search_counts.arm = days.arm
    left join recommendation_counts
        on recommendation_counts.day = days.day and recommendation_counts.arm = days.arm
    left join sales on sales.day = days.day and sales.arm = days.arm
)

select * from final
