{#- The one money conversion: silver carries doubles, the warehouse carries cents-exact decimals. -#}
{% macro money(column) -%}
    cast(round(cast({{ column }} as decimal(18, 4)), 2) as decimal(18, 2))
{%- endmacro %}

{#- numerator / denominator as a double rounded to `digits` places, the same on every engine:
    PostgreSQL divides integers to an integer, and rounds only numerics to places. -#}
{% macro share(numerator, denominator, digits) -%}
    cast(round(cast({{ numerator }} as decimal(38, 10)) / {{ denominator }}, {{ digits }})
        as double precision)
{%- endmacro %}
