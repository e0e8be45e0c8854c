"""The Feast declaration read in the shapes its users need: gold columns, not-null columns,
service fields and refs. Builds the objects in memory; reads no registry, touches no file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from feast import Entity, FeatureService, FeatureView, Field
from feast.types import Array, FeastType, Float64, Int64

from features.repo import definitions as declaration

NUMERIC = (Int64, Float64)


@dataclass(frozen=True)
class Declared:
    views: dict[str, FeatureView]
    services: dict[str, FeatureService]
    join_keys: dict[str, list[str]]  # view -> its entities' join keys


def declared() -> Declared:
    """The objects of features.repo.definitions (paths are placeholders: only names matter)."""
    objects = declaration.definitions(Path("gold"))
    entities = {o.name: o.join_key for o in objects if isinstance(o, Entity)}
    views = {o.name: o for o in objects if isinstance(o, FeatureView)}
    return Declared(
        views=views,
        services={o.name: o for o in objects if isinstance(o, FeatureService)},
        join_keys={name: [entities[e] for e in view.entities] for name, view in views.items()},
    )


def view_fields(view: str) -> list[Field]:
    return list(_view(declared(), view).features)


def gold_columns(view: str) -> list[str]:
    """What the gold table of `view` must hold: join keys, event_timestamp, every field."""
    known = declared()
    return [
        *known.join_keys[view],
        "event_timestamp",
        *(f.name for f in _view(known, view).features),
    ]


def not_null_columns(view: str) -> list[str]:
    """Gold columns of `view` that must never be null: all but fields tagged NULLABLE."""
    known = declared()
    fields = [f.name for f in _view(known, view).features if not is_nullable(f)]
    return [*known.join_keys[view], "event_timestamp", *fields]


def is_nullable(field: Field) -> bool:
    return (field.tags or {}).get("nullable") == declaration.NULLABLE["nullable"]


def is_numeric(dtype: FeastType) -> bool:
    return dtype in NUMERIC


def is_list(dtype: FeastType) -> bool:
    return isinstance(dtype, Array)


def service_fields(service: str) -> dict[str, list[Field]]:
    """view -> the fields `service` reads of it, in declaration order."""
    found = declared().services.get(service)
    if found is None:
        raise KeyError(f"no feature service {service!r} in features.repo.definitions")
    return {p.name: list(p.features) for p in found.feature_view_projections}


def service_refs(service: str) -> list[str]:
    """`view:field` of every feature `service` reads (what get_online_features is asked)."""
    return [f"{view}:{f.name}" for view, fields in service_fields(service).items() for f in fields]


def service_refs_by_key(service: str) -> dict[str, list[str]]:
    """join key -> the refs of `service` looked up by that key (one online read per key)."""
    known = declared()
    refs: dict[str, list[str]] = {}
    for view, fields in service_fields(service).items():
        (key,) = known.join_keys[view]  # every view of ours has one entity
        refs.setdefault(key, []).extend(f"{view}:{f.name}" for f in fields)
    return refs


def _view(known: Declared, view: str) -> FeatureView:
    if view not in known.views:
        raise KeyError(f"no feature view {view!r} in features.repo.definitions")
    return known.views[view]
