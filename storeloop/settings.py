"""The one settings object: every embedded store lives under `data_dir`; STORE_* env overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
# The cluster profile refuses to start with it (launch/cluster.py, scripts/cluster.sh).
DEV_JWT_SECRET = "sandbox-jwt-secret-change-me-in-production"  # noqa: S105
DEV_DATABASE_PASSWORDS = frozenset({"", "storeloop"})  # the test services' and an empty one


class Settings(BaseSettings):
    """Built once at start-up (`Settings()`), never at import; passed down explicitly."""

    model_config = SettingsConfigDict(env_prefix="STORE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./var"))
    # embedded: every part in `make up`'s process or files (the default). cluster: the servers
    # `scripts/cluster.sh up` started (`make up-cluster`); refuses the development secrets.
    profile: Literal["embedded", "cluster"] = "embedded"
    database_url: str | None = None  # default: SQLite file under data_dir
    cache_backend: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_namespace: str = "storeloop:"  # prefix of every key this store writes to Redis
    # Carts: SQL rows in the store database (survive restarts), or Redis for several gateways.
    cart_backend: Literal["sql", "redis"] = "sql"
    # Per-client token bucket at the gateway: a burst of `capacity`, then `refill_per_s` a second.
    rate_limit_capacity: int = Field(default=100, ge=1)
    rate_limit_refill_per_s: float = Field(default=50.0, gt=0)
    # Login and token refresh: attempts a minute per client, and an account locked for
    # `login_lock_s` after this many wrong passwords in a row.
    login_attempts_per_minute: int = Field(default=20, ge=1)
    login_failures_before_lock: int = Field(default=5, ge=1)
    login_lock_s: int = Field(default=900, ge=1)
    # Password reset: how long an emailed token works, and how many reset mails an hour one
    # client, and one address, may ask for.
    password_reset_ttl_minutes: int = Field(default=30, ge=1)
    password_reset_per_client_per_hour: int = Field(default=10, ge=1)
    password_reset_per_account_per_hour: int = Field(default=3, ge=1)
    # Requests one gateway worker holds at once (running or waiting for a thread); past it the
    # next is refused at once with 503 `overloaded` and Retry-After, not queued into a timeout.
    gateway_max_in_flight: int = Field(default=200, ge=1)
    # Request bodies above this many bytes get 413 before anything reads them.
    max_request_bytes: int = Field(default=1_048_576, ge=1024)
    # Browser origins (scheme://host[:port]) allowed to call the API cross-origin, e.g.
    # STORE_CORS_ORIGINS='["https://shop.example"]'; none by default: same origin only.
    cors_origins: list[str] = Field(default_factory=list)
    # Feast's online store: a SQLite file under feast_dir, or the Redis of `redis_url`.
    feast_online_store: Literal["sqlite", "redis"] = "sqlite"
    search_backend: Literal["tantivy", "elasticsearch"] = "tantivy"
    elasticsearch_url: str | None = None
    spark_master: str = "local[2]"
    # The analysts' marts: a DuckDB file under data_dir, or this PostgreSQL database (dbt-postgres
    # builds them there from a copy of the silver tables; the cluster profile's `marts`).
    marts_url: str | None = None
    mlflow_tracking_uri: str | None = None  # default: SQLite file under data_dir
    # An Airflow API server whose scheduler runs store_loop on the round_ended asset (cluster
    # profile); unset: the launcher runs the DAG in-process with `dag.test()`.
    airflow_url: str | None = None
    # The cluster profile deploys serving with `serve deploy serving/serve_config.yaml` here.
    ray_dashboard_url: str = "http://127.0.0.1:8266"
    # Gateway processes under uvicorn's supervisor in the cluster profile; 0: one per core.
    gateway_workers: int = Field(default=0, ge=0, le=64)
    # Threads per gateway process that run its blocking request work (the store's database
    # calls). anyio's 40 let 32 checkouts contend for one interpreter lock: each thread that
    # comes back from the database waits for it, and handing it round cost more CPU per order
    # than the order (benchmarks/order_placement.py, one worker, 32 clients: 44 orders/s and a
    # checkout p99 of 1.2 s with 40 threads, 55/s and 0.45 s with 4). Requests beyond these wait
    # for a thread, not for the lock.
    gateway_threads: int = Field(default=4, ge=1, le=256)
    analytics_url: str = "http://127.0.0.1:8787"
    analytics_secret: str = "sandbox-analytics-secret"  # noqa: S105 - the sandbox service's
    jwt_secret: str = DEV_JWT_SECRET  # set STORE_JWT_SECRET for real
    # How long an access token works; a client then spends its refresh token (rotated on use).
    access_token_ttl_s: int = Field(default=900, ge=1)
    # Checkout holds stock this long before an unpaid order is cancelled and its stock released.
    reservation_minutes: int = Field(default=15, ge=1)
    # Sandbox providers: random latency up to this many seconds, webhook signing secrets.
    payment_latency_s: float = Field(default=0.0, ge=0)
    shipping_latency_s: float = Field(default=0.0, ge=0)
    payment_webhook_secret: str = "sandbox-payments-webhook-secret"  # noqa: S105 - sandbox's
    shipping_webhook_secret: str = "sandbox-shipping-webhook-secret"  # noqa: S105 - sandbox's
    serving_host: str = "127.0.0.1"
    serving_port: int = 8000
    # Ray Serve replicas of the serving app: one Python process each, so searches use every core
    # (one process serialises on the interpreter lock). 0: one per core, at most 8.
    serving_replicas: int = Field(default=0, ge=0, le=64)
    gateway_port: int = 8080
    # Each Serve replica also answers HTTP on a port of its own (serving.direct_ingress), and
    # the gateway calls those instead of the proxy on `serving_port`: one hop fewer, with Serve's
    # throughput preset. Off: every request goes through the proxy.
    serving_direct_ingress: bool = True
    # How long a recommendation waits for the model before popular products answer instead
    # (`fallback: over_budget`); the search ranker has its own budget (serving.search.ranking).
    recommend_budget_s: float = Field(default=0.3, gt=0.0, le=10.0)
    # How long the gateway waits for serving before it answers 503 with Retry-After.
    serving_timeout_s: float = Field(default=5.0, gt=0.0, le=60.0)
    seed: int = 7
    # OpenTelemetry traces (storeloop.tracing): a JSON line per span to this file, and/or OTLP
    # over HTTP to this collector (e.g. http://127.0.0.1:4318/v1/traces); neither: no tracing.
    trace_file: Path | None = None
    trace_otlp_endpoint: str | None = None
    # Share of relevance-ordered searches that interleave the champion ranker with the registry's
    # `challenger` (team draft); 0 turns the experiment off. Its clicks decide promotion.
    interleave_share: float = Field(default=0.5, ge=0.0, le=1.0)
    # Share of shoppers (by hashed id) in the A/B test's control arm, served without models; 0
    # (no test) serves everyone the models; `make up` runs one at 0.5. A new salt, new arms.
    control_share: float = Field(default=0.0, ge=0.0, le=0.5)
    experiment_salt: str = "ab-1"
    # Share of first pages in relevance order (not interleaved) shown with one random adjacent
    # pair of the top EXPLORE_DEPTH swapped, logged as `swapped_at`: the randomisation position
    # bias is measured from (models.ranker.propensity.by_swaps). `make up` logs at 0.1.
    explore_share: float = Field(default=0.0, ge=0.0, le=0.5)
    # What the ranker and its gate count a cart's price for, in gain units per list-average price
    # (models.ranker.worth): 0 ranks by relevance alone; higher trades relevance for revenue.
    ranker_revenue_weight: float = Field(default=3.0, ge=0.0, le=50.0)

    # simulation scale (make up uses these defaults; the e2e test shrinks them)
    sim_products: int = 5000
    sim_shoppers: int = 500
    # make up runs the loop in rounds: `sim_days` of shopping each, then training and promotion
    sim_rounds: int = Field(default=3, ge=0)
    sim_days: int = Field(default=3, ge=1)
    sim_sessions_per_shopper_day: float = 0.6

    def development_secrets(self) -> list[str]:
        """The settings (by environment variable) still at a development default: the cluster
        profile's launcher and gateway refuse to start while any is."""
        found = [
            f"STORE_{name.upper()}"
            for name in DEVELOPMENT_DEFAULTS
            if getattr(self, name) == type(self).model_fields[name].default
        ]
        if self.database_url and self.database_url.startswith("postgresql"):
            from sqlalchemy.engine import make_url

            if (make_url(self.database_url).password or "") in DEV_DATABASE_PASSWORDS:
                found.append("STORE_DATABASE_URL's password")
        return found

    @property
    def root(self) -> Path:
        return self.data_dir.resolve()

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.root / 'store.db'}"

    @property
    def lake_dir(self) -> Path:
        return self.root / "lake"

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    @property
    def search_index_dir(self) -> Path:
        return self.root / "search_index"

    @property
    def feast_dir(self) -> Path:
        """Registry and online store files; the definitions stay in features/repo."""
        return self.root / "feast"

    @property
    def warehouse_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def tracking_uri(self) -> str:
        return self.mlflow_tracking_uri or f"sqlite:///{self.root / 'mlflow.db'}"

    @property
    def mlflow_artifacts_dir(self) -> Path:
        return self.root / "mlartifacts"

    @property
    def simulation_dir(self) -> Path:
        """The simulator's hidden truth (shopper tastes, relevance); never a training input."""
        return self.root / "simulation"

    @property
    def analytics_dir(self) -> Path:
        """Where the sandbox analytics receiver stores what it was sent."""
        return self.root / "analytics"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def serving_url(self) -> str:
        return f"http://{self.serving_host}:{self.serving_port}"

    def ensure_dirs(self) -> None:
        for path in (
            self.root,
            self.lake_dir,
            self.checkpoint_dir,
            self.feast_dir,
            self.mlflow_artifacts_dir,
            self.simulation_dir,
            self.analytics_dir,
            self.reports_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)


# Secrets whose defaults only the embedded profile may run with.
DEVELOPMENT_DEFAULTS = (
    "jwt_secret",
    "payment_webhook_secret",
    "shipping_webhook_secret",
    "analytics_secret",
)
