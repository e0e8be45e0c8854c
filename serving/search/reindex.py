"""Full reindex: the whole event log into a new index, swapped in without a moment of empty or
partial results, while the live indexer and readers keep going.

    .venv/bin/python -m serving.search.reindex
"""

from __future__ import annotations

import json
import time
from typing import Any

from consumers.checkpoint import FileCheckpoint
from consumers.feed import EventFeed
from serving.search.index import SearchIndex
from serving.search.indexer import NAME, SearchIndexer, indexer_lock
from storeloop.settings import Settings

REBUILD = f"{NAME}.reindex"  # the new index's own checkpoint while it is being built


def reindex(
    settings: Settings, batch_size: int = 20_000, feed: EventFeed | None = None
) -> dict[str, Any]:
    """Builds the new index from position 0 beside the live one, catches up with the log under
    the indexer lock, publishes it, then hands its checkpoint to the live indexer. `feed`: the
    log to read (default the outbox; bronze when rebuilding from the lake)."""
    started = time.perf_counter()
    rebuild = FileCheckpoint(settings.checkpoint_dir, REBUILD)
    rebuild.path.unlink(missing_ok=True)
    build, publish = _new_index(settings)
    builder = SearchIndexer(
        settings, index=build, batch_size=batch_size, checkpoint=rebuild, feed=feed
    )
    applied = builder.catch_up()  # the bulk of the work, while the live indexer goes on
    with indexer_lock(settings):
        applied += builder.catch_up()  # the tail that arrived meanwhile
        state = rebuild.load()
        # Published before the checkpoint moves: a crash in between replays events, harmlessly.
        publish()
        FileCheckpoint(settings.checkpoint_dir, NAME).save(
            int(state.get("position", 0)),
            **{key: value for key, value in state.items() if key != "position"},
        )
    rebuild.path.unlink(missing_ok=True)
    products = build.count()
    build.close()
    return {
        "products": products,
        "events_applied": applied,
        "position": int(state.get("position", 0)),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _new_index(settings: Settings) -> tuple[SearchIndex, Any]:
    if settings.search_backend == "elasticsearch":
        from serving.search.index.elasticsearch_index import ElasticsearchIndex

        live = ElasticsearchIndex(str(settings.elasticsearch_url))
        target = live.next_name()
        es_build = ElasticsearchIndex(str(settings.elasticsearch_url), target=target)
        return es_build, lambda: live.swap_to(target)
    from serving.search.index import tantivy_layout as layout
    from serving.search.index.tantivy_index import TantivyIndex

    root = settings.search_index_dir
    generation = layout.next_generation(root)
    build = TantivyIndex(root, bulk=True, generation=generation)
    return build, lambda: layout.publish(root, generation)


if __name__ == "__main__":
    print(json.dumps(reindex(Settings()), indent=2))
