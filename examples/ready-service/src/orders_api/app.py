"""HTTP layer. Routes are versioned under /v1; /health and /ready are the
Kubernetes probes and are deliberately different: /health says the process
is alive, /ready says it can serve (database reachable, not draining)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from fastapi import FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import __version__, config, metrics, telemetry
from .store import CircuitBreaker, Conflict, Item, MemoryStore, NotFound, Order, PostgresStore, Store, Unavailable

log = logging.getLogger("orders_api")
audit = logging.getLogger("orders_api.audit")

CURRENCIES = {"EUR", "USD", "GBP"}
MAX_ITEMS = 100


class ItemIn(BaseModel):
    sku: str
    quantity: int
    unit_price_cents: int


class OrderIn(BaseModel):
    customer_id: str
    currency: str
    items: list[ItemIn]


def order_out(o: Order) -> dict:
    return {
        "id": o.id,
        "customer_id": o.customer_id,
        "currency": o.currency,
        "status": o.status,
        "total_cents": o.total_cents,
        "created_at": o.created_at.isoformat(),
        "items": [{"sku": i.sku, "quantity": i.quantity, "unit_price_cents": i.unit_price_cents} for i in o.items],
    }


def problem(status: int, title: str, detail: str = "") -> JSONResponse:
    return JSONResponse({"title": title, "status": status, "detail": detail}, status_code=status,
                        media_type="application/problem+json")


def create_app(settings: config.Settings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or config.load()
    telemetry.configure_logging(settings.log_level, settings.log_format)
    if store is None:
        if settings.database_url:
            store = PostgresStore(settings.database_url, settings.db_pool_min, settings.db_pool_max,
                                  settings.db_connect_timeout_s, settings.db_statement_timeout_ms,
                                  sslmode=settings.db_sslmode, idle_timeout_s=settings.db_idle_timeout_s,
                                  reconnect_timeout_s=settings.db_reconnect_timeout_s,
                                  prepare_threshold=settings.db_prepare_threshold,
                                  prepared_max=settings.db_prepared_max,
                                  breaker=CircuitBreaker(settings.breaker_failure_rate, settings.breaker_window,
                                                         settings.breaker_open_s) if settings.breaker_enabled else None,
                                  retry=(settings.retry_max_attempts, settings.retry_initial_backoff_s,
                                         settings.retry_max_backoff_s))
        else:
            log.warning("DATABASE_URL is not set: using the in-memory store")
            store = MemoryStore()
    # The contract is the committed openapi.yaml (tests keep it in step); no generated docs are served.
    app = FastAPI(title="orders-api", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    if settings.tracing_enabled:
        telemetry.setup_tracing(settings, app)
    app.state.draining = False
    # Bulkhead: past this many requests in flight a worker sheds load with 503
    # instead of queueing until every request times out.
    in_flight = asyncio.Semaphore(settings.max_concurrent_requests)
    if settings.cors_allowed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_allowed_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Authorization", "Content-Type"])

    @app.middleware("http")
    async def observe(request: Request, call_next):
        request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        length = request.headers.get("content-length")
        start = time.perf_counter()
        if length is not None and length.isdigit() and int(length) > settings.max_body_bytes:
            response = problem(413, "request body too large")
        elif in_flight.locked():
            response = problem(503, "overloaded")
            response.headers["retry-after"] = "1"
        else:
            async with in_flight:
                try:
                    response = await asyncio.wait_for(call_next(request), timeout=settings.request_timeout_s)
                except asyncio.TimeoutError:
                    response = problem(504, "request timed out")
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        elapsed = time.perf_counter() - start
        metrics.REQUESTS.labels(request.method, template, str(response.status_code)).inc()
        metrics.LATENCY.labels(request.method, template).observe(elapsed)
        response.headers["x-request-id"] = request_id
        if template not in ("/health", "/ready"):
            log.info("request", extra={"request_id": request_id, "method": request.method, "route": template,
                                       "status": response.status_code, "duration_ms": round(elapsed * 1000, 2)})
        return response

    @app.on_event("shutdown")
    def drain() -> None:
        app.state.draining = True
        close = getattr(store, "close", None)
        if close:
            close()

    @app.get("/health")
    def health():
        return {"status": "ok", "version": __version__}

    @app.get("/ready")
    def ready():
        if app.state.draining:
            metrics.READY.set(0)
            return problem(503, "draining")
        try:
            store.ping()
        except Unavailable as e:
            metrics.READY.set(0)
            log.warning("not ready", extra={"reason": str(e)})
            return problem(503, "database unavailable")
        metrics.READY.set(1)
        return {"status": "ready"}

    @app.post("/v1/orders", status_code=201)
    def create_order(body: OrderIn):
        if body.currency not in CURRENCIES:
            raise HTTPException(422, f"currency must be one of {sorted(CURRENCIES)}")
        if not 1 <= len(body.items) <= MAX_ITEMS:
            raise HTTPException(422, f"an order has between 1 and {MAX_ITEMS} items")
        for i in body.items:
            if i.quantity < 1 or i.unit_price_cents < 0 or not i.sku:
                raise HTTPException(422, f"invalid item {i.sku!r}")
        try:
            o = store.create(body.customer_id, body.currency,
                             [Item(i.sku, i.quantity, i.unit_price_cents) for i in body.items])
        except Unavailable:
            raise HTTPException(503, "database unavailable")
        metrics.ORDERS_CREATED.inc()
        return order_out(o)

    @app.get("/v1/orders")
    def list_orders(customer_id: str, limit: int = 20):
        if not 1 <= limit <= 100:
            raise HTTPException(422, "limit must be between 1 and 100")
        try:
            return {"orders": [order_out(o) for o in store.list(customer_id, limit)]}
        except Unavailable:
            raise HTTPException(503, "database unavailable")

    @app.get("/v1/orders/{order_id}")
    def get_order(order_id: str):
        try:
            return order_out(store.get(order_id))
        except NotFound:
            raise HTTPException(404, "order not found")
        except Unavailable:
            raise HTTPException(503, "database unavailable")

    @app.post("/v1/orders/{order_id}/cancel")
    def cancel_order(order_id: str, request: Request):
        if not settings.feature("order_cancellation"):
            raise HTTPException(404, "order cancellation is disabled")
        try:
            o = store.cancel(order_id)
        except NotFound:
            raise HTTPException(404, "order not found")
        except Conflict as e:
            raise HTTPException(409, str(e))
        except Unavailable:
            raise HTTPException(503, "database unavailable")
        metrics.ORDERS_CANCELLED.inc()
        if settings.audit_enabled:
            audit.info("order cancelled", extra={"order_id": order_id,
                                                  "actor": request.headers.get("x-auth-request-user", "unknown")})
        return order_out(o)

    return app
