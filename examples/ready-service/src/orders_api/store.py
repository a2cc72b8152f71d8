"""Order storage. PostgresStore is used in every deployed environment;
MemoryStore backs unit tests and local runs without a database."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Protocol, TypeVar

T = TypeVar("T")

from . import metrics


class NotFound(Exception):
    pass


class Conflict(Exception):
    pass


class Unavailable(Exception):
    pass


@dataclass(frozen=True)
class Item:
    sku: str
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class Order:
    id: str
    customer_id: str
    currency: str
    items: tuple[Item, ...]
    status: str = "pending"
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def total_cents(self) -> int:
        return sum(i.quantity * i.unit_price_cents for i in self.items)


CANCELLABLE = {"pending", "paid"}


class Store(Protocol):
    def ping(self) -> None: ...
    def create(self, customer_id: str, currency: str, items: list[Item]) -> Order: ...
    def get(self, order_id: str) -> Order: ...
    def list(self, customer_id: str, limit: int) -> list[Order]: ...
    def cancel(self, order_id: str) -> Order: ...


class MemoryStore:
    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self._lock = threading.Lock()

    def ping(self) -> None:
        return None

    def create(self, customer_id: str, currency: str, items: list[Item]) -> Order:
        o = Order(id=str(uuid.uuid4()), customer_id=customer_id, currency=currency, items=tuple(items))
        with self._lock:
            self._orders[o.id] = o
        return o

    def get(self, order_id: str) -> Order:
        with self._lock:
            try:
                return self._orders[order_id]
            except KeyError:
                raise NotFound(order_id) from None

    def list(self, customer_id: str, limit: int) -> list[Order]:
        with self._lock:
            found = [o for o in self._orders.values() if o.customer_id == customer_id]
        return sorted(found, key=lambda o: o.created_at, reverse=True)[:limit]

    def cancel(self, order_id: str) -> Order:
        with self._lock:
            o = self._orders.get(order_id)
            if o is None:
                raise NotFound(order_id)
            if o.status not in CANCELLABLE:
                raise Conflict(f"order is {o.status}")
            o = replace(o, status="cancelled")
            self._orders[order_id] = o
            return o


class CircuitBreaker:
    """Opens when at least failure_rate of the last `window` calls failed;
    while open, calls fail at once. After open_s one trial call is let
    through: success closes the breaker, failure opens it again."""

    def __init__(self, failure_rate: float, window: int, open_s: float, clock: Callable[[], float] = time.monotonic):
        self._rate, self._open_s, self._clock = failure_rate, open_s, clock
        self._results: deque[bool] = deque(maxlen=window)
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if self._clock() - self._opened_at >= self._open_s:
                self._opened_at = self._clock()  # one trial; others keep failing fast
                return True
            return False

    def record(self, ok: bool) -> None:
        with self._lock:
            if ok and self._opened_at is not None:
                self._opened_at = None
                self._results.clear()
            self._results.append(ok)
            full = len(self._results) == self._results.maxlen
            if not ok and full and self._results.count(False) / len(self._results) >= self._rate:
                self._opened_at = self._clock()

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None


def with_retries(fn: Callable[[], T], attempts: int, initial_s: float, max_s: float,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Calls fn up to `attempts` times on Unavailable, with capped exponential
    backoff and full jitter between attempts."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Unavailable:
            if attempt == attempts:
                raise
            sleep(random.uniform(0, min(max_s, initial_s * 2 ** (attempt - 1))))  # noqa: S311 - jitter, not crypto
    raise AssertionError("unreachable")


class PostgresStore:
    """Every query uses bind parameters; nothing is formatted into SQL text."""

    def __init__(self, dsn: str, min_size: int, max_size: int, connect_timeout_s: float, statement_timeout_ms: int,
                 sslmode: str = "verify-full", idle_timeout_s: float = 300, reconnect_timeout_s: float = 60,
                 prepare_threshold: int = 5, prepared_max: int = 100,
                 breaker: CircuitBreaker | None = None, retry: tuple[int, float, float] = (3, 0.05, 0.5)) -> None:
        from psycopg_pool import ConnectionPool

        self._breaker = breaker
        self._retry = retry

        def configure(conn) -> None:
            conn.prepared_max = prepared_max

        # sslmode here overrides whatever the DSN says, so TLS cannot be lost
        # by a hand-edited secret. The pool retries failed connection attempts
        # with exponential backoff for up to reconnect_timeout.
        self._pool = ConnectionPool(
            dsn,
            min_size=min_size,
            max_size=max_size,
            timeout=connect_timeout_s,
            max_idle=idle_timeout_s,
            reconnect_timeout=reconnect_timeout_s,
            kwargs={
                "sslmode": sslmode,
                "connect_timeout": int(connect_timeout_s),
                "options": f"-c statement_timeout={statement_timeout_ms}",
                "application_name": "orders-api",
                "prepare_threshold": prepare_threshold,
            },
            configure=configure,
            open=True,
        )

    def close(self) -> None:
        self._pool.close()

    def _once(self, operation: str, fn):
        import psycopg

        if self._breaker and not self._breaker.allow():
            raise Unavailable("circuit breaker open")
        try:
            with self._pool.connection() as conn:
                result = fn(conn)
        except (psycopg.OperationalError, TimeoutError) as e:
            metrics.DB_ERRORS.labels(operation).inc()
            if self._breaker:
                self._breaker.record(False)
            raise Unavailable(str(e)) from e
        if self._breaker:
            self._breaker.record(True)
        return result

    def _run(self, operation: str, fn, idempotent: bool = False):
        if not idempotent:
            return self._once(operation, fn)
        attempts, initial_s, max_s = self._retry
        return with_retries(lambda: self._once(operation, fn), attempts, initial_s, max_s)

    def ping(self) -> None:
        # Not retried: readiness should report what it sees now.
        self._run("ping", lambda c: c.execute("SELECT 1"))

    def create(self, customer_id: str, currency: str, items: list[Item]) -> Order:
        o = Order(id=str(uuid.uuid4()), customer_id=customer_id, currency=currency, items=tuple(items))

        def tx(conn):
            with conn.transaction():
                conn.execute(
                    "INSERT INTO orders (id, customer_id, currency, status, created_at) VALUES (%s, %s, %s, %s, %s)",
                    (o.id, o.customer_id, o.currency, o.status, o.created_at),
                )
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO order_items (order_id, sku, quantity, unit_price_cents) VALUES (%s, %s, %s, %s)",
                        [(o.id, i.sku, i.quantity, i.unit_price_cents) for i in items],
                    )
            return o

        return self._run("create", tx)

    def _load(self, conn, order_id: str) -> Order:
        row = conn.execute(
            "SELECT id, customer_id, currency, status, created_at FROM orders WHERE id = %s", (order_id,)
        ).fetchone()
        if row is None:
            raise NotFound(order_id)
        items = conn.execute(
            "SELECT sku, quantity, unit_price_cents FROM order_items WHERE order_id = %s ORDER BY sku", (order_id,)
        ).fetchall()
        return Order(id=str(row[0]), customer_id=row[1], currency=row[2], status=row[3], created_at=row[4],
                     items=tuple(Item(*i) for i in items))

    def get(self, order_id: str) -> Order:
        return self._run("get", lambda c: self._load(c, order_id), idempotent=True)

    def list(self, customer_id: str, limit: int) -> list[Order]:
        def q(conn):
            ids = conn.execute(
                "SELECT id FROM orders WHERE customer_id = %s ORDER BY created_at DESC LIMIT %s", (customer_id, limit)
            ).fetchall()
            return [self._load(conn, str(r[0])) for r in ids]

        return self._run("list", q, idempotent=True)

    def cancel(self, order_id: str) -> Order:
        def tx(conn):
            with conn.transaction():
                row = conn.execute("SELECT status FROM orders WHERE id = %s FOR UPDATE", (order_id,)).fetchone()
                if row is None:
                    raise NotFound(order_id)
                if row[0] not in CANCELLABLE:
                    raise Conflict(f"order is {row[0]}")
                conn.execute("UPDATE orders SET status = 'cancelled' WHERE id = %s", (order_id,))
            return self._load(conn, order_id)

        return self._run("cancel", tx)
