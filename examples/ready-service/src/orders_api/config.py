"""Settings come from config/app.toml, then config/app.<APP_ENV>.toml, then a
few environment variables. Secrets are only ever read from the environment
(injected from Kubernetes Secrets), never from the TOML files."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

LOG_LEVELS = ("debug", "info", "warning", "error")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    service_name: str = "orders-api"
    environment: str = "development"
    port: int = 8080
    log_level: str = "info"
    log_format: str = "json"
    request_timeout_s: float = 10.0
    max_body_bytes: int = 1_048_576
    max_concurrent_requests: int = 64
    shutdown_timeout_s: float = 20.0
    cors_allowed_origins: tuple[str, ...] = ()
    database_url: str | None = None
    db_sslmode: str = "verify-full"
    db_pool_min: int = 2
    db_pool_max: int = 10
    db_connect_timeout_s: float = 5.0
    db_statement_timeout_ms: int = 3000
    db_idle_timeout_s: float = 300.0
    db_reconnect_timeout_s: float = 60.0
    db_prepare_threshold: int = 5
    db_prepared_max: int = 100
    retry_max_attempts: int = 3
    retry_initial_backoff_s: float = 0.05
    retry_max_backoff_s: float = 0.5
    breaker_enabled: bool = True
    breaker_failure_rate: float = 0.5
    breaker_window: int = 20
    breaker_open_s: float = 30.0
    tracing_enabled: bool = False
    otlp_endpoint: str = ""
    trace_sample_ratio: float = 0.1
    audit_enabled: bool = True
    features: Mapping[str, bool] = field(default_factory=dict)

    def feature(self, name: str) -> bool:
        return bool(self.features.get(name, False))


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = _merge(dict(out[k]), v)
        else:
            out[k] = v
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from e


def load(config_dir: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    config_dir = Path(config_dir or env.get("ORDERS_CONFIG_DIR", "config"))
    environment = env.get("APP_ENV", "development")

    raw = _read(config_dir / "app.toml")
    overlay = config_dir / f"app.{environment}.toml"
    if overlay.exists():
        raw = _merge(raw, _read(overlay))

    svc, log, http = raw.get("service", {}), raw.get("log", {}), raw.get("http", {})
    db, tracing = raw.get("database", {}), raw.get("tracing", {})
    bulkhead = http.get("bulkhead", {})
    pool = db.get("pool", {})
    retry, breaker = db.get("retry", {}), db.get("circuit_breaker", {})

    s = Settings(
        service_name=svc.get("name", "orders-api"),
        environment=environment,
        port=int(svc.get("port", 8080)),
        log_level=env.get("LOG_LEVEL", log.get("level", "info")).lower(),
        log_format=env.get("LOG_FORMAT", log.get("format", "json")).lower(),
        request_timeout_s=float(http.get("request_timeout_seconds", 10)),
        max_body_bytes=int(http.get("max_body_bytes", 1_048_576)),
        # A disabled bulkhead is a very large one, not a missing one.
        max_concurrent_requests=int(bulkhead.get("max_concurrent_requests", 64)) if bulkhead.get("enabled", True) else 10_000,
        shutdown_timeout_s=float(svc.get("shutdown_timeout_seconds", 20)),
        cors_allowed_origins=tuple(raw.get("cors", {}).get("allowed_origins", [])),
        # The DSN carries the password, so it only ever comes from the environment.
        database_url=env.get("DATABASE_URL") or None,
        # Local and CI databases run without TLS; validate() refuses that in production.
        db_sslmode=env.get("DATABASE_SSLMODE", db.get("sslmode", "verify-full")),
        db_pool_min=int(pool.get("min_size", 2)),
        db_pool_max=int(pool.get("max_size", 10)),
        db_connect_timeout_s=float(db.get("connect_timeout_seconds", 5)),
        db_statement_timeout_ms=int(db.get("statement_timeout_ms", 3000)),
        db_idle_timeout_s=float(db.get("idle_timeout_seconds", 300)),
        db_reconnect_timeout_s=float(pool.get("reconnect_timeout_seconds", 60)),
        db_prepare_threshold=int(db.get("prepared_statement_threshold", 5)),
        db_prepared_max=int(db.get("prepared_statement_cache_size", 100)),
        retry_max_attempts=int(retry.get("max_attempts", 3)),
        retry_initial_backoff_s=float(retry.get("initial_backoff_ms", 50)) / 1000,
        retry_max_backoff_s=float(retry.get("max_backoff_ms", 500)) / 1000,
        breaker_enabled=bool(breaker.get("enabled", True)),
        breaker_failure_rate=float(breaker.get("failure_rate_threshold", 0.5)),
        breaker_window=int(breaker.get("window_calls", 20)),
        breaker_open_s=float(breaker.get("open_seconds", 30)),
        tracing_enabled=bool(tracing.get("enabled", False)),
        otlp_endpoint=env.get("OTEL_EXPORTER_OTLP_ENDPOINT", tracing.get("otlp_endpoint", "")),
        trace_sample_ratio=float(tracing.get("sample_ratio", 0.1)),
        audit_enabled=bool(raw.get("audit", {}).get("enabled", True)),
        features={k: bool(v) for k, v in raw.get("feature_flags", {}).items()},
    )
    validate(s)
    return s


def validate(s: Settings) -> None:
    if s.log_level not in LOG_LEVELS:
        raise ConfigError(f"log level {s.log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    if s.log_format not in ("json", "text"):
        raise ConfigError(f"log format {s.log_format!r} must be json or text")
    if s.db_pool_min > s.db_pool_max:
        raise ConfigError("database.pool.min_size is larger than database.pool.max_size")
    if not 0.0 <= s.trace_sample_ratio <= 1.0:
        raise ConfigError("tracing.sample_ratio must be between 0 and 1")
    if s.retry_max_attempts < 1:
        raise ConfigError("database.retry.max_attempts must be at least 1")
    if not 0.0 < s.breaker_failure_rate <= 1.0:
        raise ConfigError("database.circuit_breaker.failure_rate_threshold must be in (0, 1]")
    if s.max_concurrent_requests < 1:
        raise ConfigError("http.bulkhead.max_concurrent_requests must be at least 1")
    if s.environment == "production":
        if s.db_sslmode not in ("verify-full", "verify-ca", "require"):
            raise ConfigError(f"database.sslmode {s.db_sslmode!r} does not encrypt the connection")
        if "*" in s.cors_allowed_origins:
            raise ConfigError("cors.allowed_origins must not contain '*' in production")
        if s.log_level == "debug":
            raise ConfigError("debug logging is not allowed in production")
        if s.log_format != "json":
            raise ConfigError("production logs must be JSON")
