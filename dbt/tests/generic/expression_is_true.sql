{#- Fails with every row where the boolean SQL `expression` is not true (nulls fail too).
    Usable on a model or a column; on a column the expression still names it explicitly. -#}
{% test expression_is_true(model, expression, column_name=none) %}
select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
