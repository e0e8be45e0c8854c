{#- The one money conversion: silver carries doubles, the warehouse carries cents-exact decimals. -#}
{% macro money(column) -%}
    cast(round(cast({{ column }} as decimal(18, 4)), 2) as decimal(18, 2))
{%- endmacro %}
