{#- Fails with every combination of `columns` found on more than one row (a compound key). -#}
{% test unique_together(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
