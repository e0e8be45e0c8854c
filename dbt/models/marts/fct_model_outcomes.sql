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

cart_adds as (
    select * from {{ ref('stg_lake__cart_adds') }}
),

order_items as (
    select * from {{ ref('stg_lake__order_items') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

shown as (
    -- every list item shown, whichever channel: searches are ranked by the `ranker`
    select
        search_id as list_id,
        'search' as surface,
        ranker as model,
        searched_at as shown_at
    from search_impressions
    union all
    select
        recommendation_id as list_id,
        surface,
        recommender as model,
        shown_at
    from recommendation_impressions
),

lists as (
    select
        list_id,
        surface,
        model,
        cast(min(shown_at) as date) as shown_date,
        count(*) as impressions
    from shown
    group by list_id, surface, model
),

list_events as (
    -- clicks and cart adds by the list they came from; an add naming a search and a
    -- recommendation list is credited to both
    select search_id as list_id, 'click' as kind from search_clicks
    union all
    select recommendation_id as list_id, 'click' as kind from recommendation_clicks
    union all
    select search_id as list_id, 'cart_add' as kind from cart_adds where search_id is not null
    union all
    select recommendation_id as list_id, 'cart_add' as kind
    from cart_adds
    where recommendation_id is not null
),

credited_lines as (
    select
        order_items.search_id as list_id,
        order_items.order_id,
        order_items.quantity,
        order_items.line_total
    from order_items
    where order_items.search_id is not null
    union all
    select
        order_items.recommendation_id as list_id,
        order_items.order_id,
        order_items.quantity,
        order_items.line_total
    from order_items
    where order_items.recommendation_id is not null
),

list_counts as (
    select
        shown_date,
        surface,
        model,
        count(*) as lists_shown,
        sum(impressions) as impressions
    from lists
    group by shown_date, surface, model
),

event_counts as (
    select
        lists.shown_date,
        lists.surface,
        lists.model,
        count(*) filter (where list_events.kind = 'click') as clicks,
        count(*) filter (where list_events.kind = 'cart_add') as cart_adds
    from list_events
    inner join lists on lists.list_id = list_events.list_id
    group by lists.shown_date, lists.surface, lists.model
),

sales as (
    -- orders placed with a credited line; units and revenue only where the order was paid
    select
        lists.shown_date,
        lists.surface,
        lists.model,
        count(distinct credited_lines.order_id) as orders,
        count(distinct credited_lines.order_id) filter (where orders.is_paid) as paid_orders,
        coalesce(sum(credited_lines.quantity) filter (where orders.is_paid), 0) as units,
        coalesce(sum(credited_lines.line_total) filter (where orders.is_paid), 0) as revenue
    from credited_lines
    inner join lists on lists.list_id = credited_lines.list_id
    inner join orders on orders.order_id = credited_lines.order_id
    group by lists.shown_date, lists.surface, lists.model
),

final as (
    select
        list_counts.shown_date,
        list_counts.surface,
        list_counts.model,
        list_counts.lists_shown,
        list_counts.impressions,
        coalesce(event_counts.clicks, 0) as clicks,
        coalesce(event_counts.cart_adds, 0) as cart_adds,
        coalesce(sales.orders, 0) as orders,
        coalesce(sales.paid_orders, 0) as paid_orders,
        coalesce(sales.units, 0) as units,
        {{ money('coalesce(sales.revenue, 0)') }} as revenue
    from list_counts
    left join event_counts
        on event_counts.shown_date = list_counts.shown_date
        and event_counts.surface = list_counts.surface
        and event_counts.model = list_counts.model
    left join sales
        on sales.shown_date = list_counts.shown_date
        and sales.surface = list_counts.surface
        and sales.model = list_counts.model
)

select * from final
