"""Prometheus metrics. Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes every
worker write here and gunicorn.conf.py serves the merged view on :9090."""

from prometheus_client import Counter, Gauge, Histogram

REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests served, by route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to serve an HTTP request.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ORDERS_CREATED = Counter("orders_created_total", "Orders accepted.")
ORDERS_CANCELLED = Counter("orders_cancelled_total", "Orders cancelled.")
DB_ERRORS = Counter("orders_db_errors_total", "Database operations that failed.", ["operation"])
READY = Gauge("orders_ready", "1 while this worker reports ready.", multiprocess_mode="livemin")
