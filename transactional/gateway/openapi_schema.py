"""The gateway's OpenAPI document as its clients read it: an optional query, header or cookie
parameter is absent when it has no value. FastAPI documents `str | None` as "a string or null",
but there is no null on the wire: a client, or a schema-driven fuzzer, that sends the text
"null" there breaks the parameter's real rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

NOT_IN_BODY = frozenset({"query", "header", "cookie"})


def without_null_parameters(schema: dict[str, Any]) -> dict[str, Any]:
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in NOT_IN_BODY:
                    parameter["schema"] = _not_null(parameter.get("schema", {}))
    return schema


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    choices = schema.get("anyOf")
    if not choices:
        return schema
    values = [choice for choice in choices if choice != {"type": "null"}]
    if len(values) != 1 or len(values) == len(choices):
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**values[0], **rest}


def document_without_nulls(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """`app.openapi` for `app`: FastAPI's document (built once, cached by FastAPI), tidied."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return without_null_parameters(generate())  # idempotent: safe on the cached document

    return openapi
