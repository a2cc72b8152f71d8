"""Runs against a real PostgreSQL (the CI service container). Skipped when
TEST_DATABASE_URL is not set, so unit runs stay offline."""

import os
from pathlib import Path

import pytest

DSN = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not DSN, reason="TEST_DATABASE_URL is not set")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@pytest.fixture
def store():
    import psycopg

    from orders_api.store import PostgresStore

    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS order_items, orders")
        for f in sorted(MIGRATIONS.glob("*.sql")):
            conn.execute(f.read_text())
    # The CI database is a local container without TLS.
    s = PostgresStore(DSN, min_size=1, max_size=2, connect_timeout_s=5, statement_timeout_ms=3000, sslmode="disable")
    yield s
    s.close()


def test_round_trip_and_cancel(store):
    from orders_api.store import Conflict, Item

    o = store.create("c-1", "EUR", [Item("A", 1, 100), Item("B", 3, 50)])
    assert store.get(o.id).total_cents == 250
    assert [x.id for x in store.list("c-1", 10)] == [o.id]
    assert store.cancel(o.id).status == "cancelled"
    with pytest.raises(Conflict):
        store.cancel(o.id)


def test_sql_metacharacters_are_data(store):
    from orders_api.store import Item

    o = store.create("c-1'; DROP TABLE orders; --", "EUR", [Item("A", 1, 1)])
    assert store.get(o.id).customer_id.startswith("c-1'")
