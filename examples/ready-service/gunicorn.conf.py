"""gunicorn settings for the container. Workers are uvicorn's ASGI workers;
Prometheus metrics from every worker are merged and served on :9090."""

import os

from prometheus_client import CollectorRegistry, multiprocess, start_http_server

bind = "0.0.0.0:8080"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "uvicorn.workers.UvicornWorker"
# A request may take request_timeout_seconds (10); a worker silent for 30s is stuck.
timeout = 30
# SIGTERM arrives after the 5s preStop sleep; finish in-flight requests well
# inside terminationGracePeriodSeconds (30).
graceful_timeout = 20
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
max_requests = 10000
max_requests_jitter = 1000
worker_tmp_dir = "/tmp"
accesslog = None  # the app logs each request as JSON
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "orders_api.telemetry.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "loggers": {"gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False}},
}


def when_ready(server):
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    start_http_server(int(os.environ.get("METRICS_PORT", "9090")), registry=registry)


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
