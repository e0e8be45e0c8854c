{#- Selects a silver table. DuckDB reads the Parquet files in place, and gets a typed empty
    relation while a table has no files yet, because read_parquet fails on an empty glob and a
    quiet day must not break the build; a declared column that no file has yet (files written
    before the contract gained it) reads as null, as the contract says older rows do.
    PostgreSQL reads the tables warehouse.silver_copy loaded, every declared one present (and
    null where the files lack it) even when empty. -#}
{% macro lake_source(table) -%}
    {%- set relation = source('lake', table) -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set columns = graph.sources['source.storeloop.lake.' ~ table].columns.values() -%}
        {%- if not lake_has_files(table) -%}
            select
            {%- for column in columns %}
                cast(null as {{ column.data_type }}) as {{ column.name }}{{ "," if not loop.last }}
            {%- endfor %}
            where false
        {%- else -%}
            {%- set present = lake_columns(relation) -%}
            select *
            {%- for column in columns if column.name not in present %},
                cast(null as {{ column.data_type }}) as {{ column.name }}
            {%- endfor %}
            from {{ relation }}
        {%- endif -%}
    {%- else -%}
        select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{% macro lake_has_files(table) -%}
    {%- set pattern = env_var('STORE_LAKE_DIR') ~ '/silver/' ~ table ~ '/**/*.parquet' -%}
    {%- set found = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
    {{- return(found.columns[0].values()[0] > 0) -}}
{%- endmacro %}

{% macro lake_columns(relation) -%}
    {%- set described = run_query("describe select * from " ~ relation) -%}
    {{- return(described.columns[0].values() | list) -}}
{%- endmacro %}
