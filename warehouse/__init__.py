"""Warehouse (dbt marts over the silver lake) and the export to the external analytics service."""
