# The index of what you can run: `make help`.
SHELL := /bin/bash
PY := .venv/bin/python
export PYTHONPATH := $(CURDIR)

.PHONY: help install up up-once up-cluster down test test-unit test-e2e test-cluster screenshots lint format mlflow-ui bench bench-recsys bench-orders bench-outbox bench-search bench-fresh bench-reload bench-interleaving bench-lake bench-chaos bench-all eval-search reindex-search money-jobs check-invariants backup-drill rebuild-from-bronze clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: ## install Java, uv and the locked environment (.venv)
	@scripts/install.sh

up: install ## the whole loop in rounds on embedded defaults, then the APIs until Ctrl-C
	$(PY) -m launch.up $(ARGS)

up-once: install ## the whole loop in rounds, check the APIs, exit
	$(PY) -m launch.up --once $(ARGS)

up-cluster: install ## the loop on real servers (PostgreSQL, Redis, Spark, MLflow, Ray, Airflow); needs STORE_CLUSTER_PASSWORD, STORE_JWT_SECRET
	scripts/cluster.sh down >/dev/null 2>&1; scripts/cluster.sh up --fresh
	source $${STORE_CLUSTER_DIR:-var-cluster}/cluster.env && $(PY) -m launch.up $(ARGS)

down: ## stop what up-cluster started
	scripts/cluster.sh down

test: install ## every test: unit, integration (real Spark, Feast, MLflow, Ray) and the end-to-end loop, embedded and on the cluster profile
	scripts/test.sh

test-unit: install ## the fast unit tests only
	$(PY) -m pytest tests/unit -q

test-e2e: install ## the end-to-end loop test only (embedded)
	scripts/test.sh tests/e2e/test_loop.py

test-cluster: install ## the loop on the cluster profile's servers only, beside any cluster of yours (9-11 min here; make test runs it too)
	scripts/test.sh tests/e2e/test_cluster_loop.py

screenshots: install ## the storefront's main pages as PNGs in docs/screenshots, taken by its browser tests
	STORE_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/integration/storefront/test_web_pages.py tests/integration/storefront/test_web_seller.py tests/integration/storefront/test_web_seller_sales.py

lint: install ## ruff (lint and format check) and mypy
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy storeloop transactional storefront serving models features consumers simulation quality warehouse spark_jobs dags benchmarks launch

format: install ## apply ruff's fixes and formatting
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

mlflow-ui: install ## open the MLflow UI on the loop's tracking store (port 5000)
	.venv/bin/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/var/mlflow.db --port 5000

bench: install ## search latency benchmark on the data dir of the last `make up`, against raw tantivy
	$(PY) -m benchmarks.search_latency

bench-search: install ## search freshness (commit to visible) and the 1M-product benchmark against raw tantivy (slow)
	$(PY) -m benchmarks.search_freshness && $(PY) -m benchmarks.search_million $(ARGS)

bench-fresh: install ## fresh signals: commit to visible in Feast's online store (consumer in its own process)
	$(PY) -m benchmarks.fresh_signals $(ARGS)

bench-reload: install ## hot reload under load: 8 clients through Ray Serve while the champion aliases move (after make up)
	$(PY) -m benchmarks.hot_reload $(ARGS)

bench-interleaving: install ## sessions interleaving needs for p < 0.05 between two rankers, against an A/B test of the same pair
	$(PY) -m benchmarks.interleaving_sensitivity $(ARGS)

bench-lake: install ## synthetic lake (default 20k products, 4k shoppers, 7 days) through Spark silver/gold against DuckDB: ARGS="--products 100000 --shoppers 20000 --days 30 [--dag]"
	$(PY) -m benchmarks.lake_scale --data-dir $(or $(DATA_DIR),/tmp/bench-lake) $(ARGS)

eval-search: install ## search relevance on the judged queries: NDCG@10, recall@100, zero results, index vs champion
	$(PY) -m serving.search.evaluate

reindex-search: install ## rebuild the search index from the event log and swap it in without downtime
	$(PY) -m serving.search.reindex

bench-recsys: install ## recommender benchmark, both protocols and the published figures: make bench-recsys DATA=../shared/data/amazon/Beauty.txt
	$(PY) -m benchmarks.recsys $(DATA) $(ARGS)

bench-orders: install ## order placement over HTTP on PostgreSQL (32 clients, uniform and hot SKU) against pgbench TPC-B
	source scripts/services.sh && $(PY) -m benchmarks.order_placement $(ARGS)

bench-outbox: install ## nothing lost: 32 clients order on PostgreSQL for 60 s while the lake writer follows; outbox = bronze = silver
	source scripts/services.sh && $(PY) -m benchmarks.outbox_integrity $(ARGS)

bench-chaos: install ## chaos: 32 shoppers on PostgreSQL while consumers, a gateway worker, a Serve replica and PostgreSQL die; nothing lost (ARGS="--seconds 150 --faults 3")
	source scripts/services.sh >/dev/null && $(PY) -m benchmarks.chaos $(ARGS)

bench-all: install ## every benchmark in sequence, then one table of headline, reference, ratio and goal (ARGS=--quick: small sizes)
	source scripts/services.sh >/dev/null || echo "no PostgreSQL: its benchmarks are skipped"; $(PY) -m benchmarks.all $(ARGS)

money-jobs: install ## expire stale stock reservations and reconcile open payments once (cron this)
	$(PY) -m transactional.orders.jobs

check-invariants: install ## the store's invariants (captures = paid orders, stock, outbox = bronze = silver, search = catalog) on the data dir's store
	$(PY) -m launch.invariants $(ARGS)

backup-drill: install ## pg_dump the PostgreSQL store, restore into a scratch database, compare every table and check the invariants: make backup-drill [URL=...]
	source scripts/services.sh && $(PY) -m launch.backup_drill $(URL) $(ARGS)

rebuild-from-bronze: install ## rebuild silver, gold, Feast online and the search index from bronze alone and compare with the running system's (after make up)
	$(PY) -m launch.rebuild_from_bronze $(ARGS)

clean: ## remove the data dir (every embedded store)
	rm -rf var
