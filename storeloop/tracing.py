"""OpenTelemetry traces across the gateway and serving: one trace per shopper request, its spans
carrying the request id that the JSON logs carry (`request.id`), the W3C `traceparent` header
taking the trace from the gateway to serving.

Off unless configured (STORE_TRACE_FILE: a JSON line per span; STORE_TRACE_OTLP_ENDPOINT: an
OTLP/HTTP collector such as `http://127.0.0.1:4318/v1/traces`): the API's default tracer then
records nothing, at the cost of a few attribute-less objects per request."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, StatusCode
from starlette.types import Scope

from storeloop.request_metrics import route_template
from storeloop.settings import Settings

REQUEST_ID = "request.id"
EXPORT_EVERY_MS = 500  # a killed process loses at most this much of its last traces
_lock = threading.Lock()
_configured: list[str] = []  # the service this process traces as, once configured


def configure_tracing(service: str, settings: Settings) -> bool:
    """Installs the exporters settings ask for, once per process (OpenTelemetry allows one
    provider); returns whether this call did. Later calls, from other apps in the same
    process, keep the first service name."""
    if not (settings.trace_file or settings.trace_otlp_endpoint):
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    with _lock:
        if _configured:
            return False
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        if settings.trace_file:
            settings.trace_file.parent.mkdir(parents=True, exist_ok=True)
            lines: IO[str] = settings.trace_file.open("a", encoding="utf-8")  # noqa: SIM115 - the exporter's for life
            exporter = ConsoleSpanExporter(out=lines, formatter=_one_line)
            provider.add_span_processor(
                BatchSpanProcessor(exporter, schedule_delay_millis=EXPORT_EVERY_MS)
            )
        if settings.trace_otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            otlp = OTLPSpanExporter(endpoint=settings.trace_otlp_endpoint)
            provider.add_span_processor(BatchSpanProcessor(otlp))
        trace.set_tracer_provider(provider)
        _configured.append(service)
        return True


def _one_line(span: object) -> str:
    return span.to_json(indent=None) + "\n"  # type: ignore[attr-defined]


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


@contextmanager
def server_span(scope: Scope, request_id: str) -> Iterator[Span]:
    """The span of one HTTP request, continuing the caller's trace when it sent `traceparent`.
    Call `answered` with its status before the block ends."""
    carrier = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
    with tracer("storeloop.http").start_as_current_span(
        scope["method"],
        context=propagate.extract(carrier),
        kind=SpanKind.SERVER,
        attributes={
            REQUEST_ID: request_id,
            "http.request.method": scope["method"],
            "url.path": scope["path"],
        },
    ) as span:
        yield span


def answered(span: Span, scope: Scope, status: int) -> None:
    """Names the span by its route template (known once routed) and records the status."""
    route = route_template(scope)
    span.update_name(f"{scope['method']} {route}")
    span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(StatusCode.ERROR)


@contextmanager
def client_span(name: str, request_id: str | None, headers: dict[str, str]) -> Iterator[Span]:
    """A call to another service: `headers` gain the `traceparent` that continues this trace."""
    with tracer("storeloop.http").start_as_current_span(
        name, kind=SpanKind.CLIENT, attributes={REQUEST_ID: request_id or ""}
    ) as span:
        propagate.inject(headers)
        yield span
