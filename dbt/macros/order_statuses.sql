{#- Which order statuses count as sold (paid at some point, whatever came after: a return, a
    refund) and as gone back: one list for every mart that sums sales. -#}
{% macro is_sold(status) -%}
    {{ status }} in ('paid', 'fulfilled', 'shipped', 'delivered', 'returned', 'refunded')
{%- endmacro %}

{% macro is_refunded(status) -%}
    {{ status }} in ('returned', 'refunded')
{%- endmacro %}
