{#- Selects a silver table. DuckDB reads the Parquet files in place, and gets a typed empty
    relation while a table has no files yet, because read_parquet fails on an empty glob and a
    quiet day must not break the build. PostgreSQL reads the tables warehouse.silver_copy loaded,
    every declared one present even when empty. -#}
{% macro lake_source(table) -%}
    {%- set relation = source('lake', table) -%}
    {%- if execute and target.type == 'duckdb' and not lake_has_files(table) -%}
        {%- set columns = graph.sources['source.storeloop.lake.' ~ table].columns.values() -%}
        select
        {%- for column in columns %}
            cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
        where false
    {%- else -%}
        select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro lake_has_files(table) -%}
    {%- set pattern = env_var('STORE_LAKE_DIR') ~ '/silver/' ~ table ~ '/**/*.parquet' -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
    {{- return(found.columns[0].values()[0] > 0) -}}
{%- endmacro %}
