import pytest

ORDER = {"customer_id": "c-1001", "currency": "EUR", "items": [{"sku": "BOOK-42", "quantity": 2, "unit_price_cents": 1250}]}


def test_health_and_ready_are_distinct(client):
    h = client.get("/health")
    r = client.get("/ready")
    assert h.status_code == 200 and h.json()["status"] == "ok"
    assert r.status_code == 200 and r.json() == {"status": "ready"}


def test_create_then_get(client):
    created = client.post("/v1/orders", json=ORDER)
    assert created.status_code == 201
    body = created.json()
    assert body["total_cents"] == 2500 and body["status"] == "pending"
    got = client.get(f"/v1/orders/{body['id']}")
    assert got.status_code == 200 and got.json() == body
    assert got.headers["x-request-id"]


def test_list_is_scoped_to_customer(client):
    client.post("/v1/orders", json=ORDER)
    client.post("/v1/orders", json={**ORDER, "customer_id": "c-2002"})
    orders = client.get("/v1/orders", params={"customer_id": "c-1001"}).json()["orders"]
    assert [o["customer_id"] for o in orders] == ["c-1001"]


@pytest.mark.parametrize(
    "patch, status",
    [
        ({"currency": "XXX"}, 422),
        ({"items": []}, 422),
        ({"items": [{"sku": "A", "quantity": 0, "unit_price_cents": 1}]}, 422),
        ({"items": [{"sku": "A", "quantity": 1, "unit_price_cents": -1}]}, 422),
    ],
)
def test_create_rejects_bad_orders(client, patch, status):
    assert client.post("/v1/orders", json={**ORDER, **patch}).status_code == status


def test_cancel_twice_conflicts(client):
    oid = client.post("/v1/orders", json=ORDER).json()["id"]
    first = client.post(f"/v1/orders/{oid}/cancel")
    assert first.status_code == 200 and first.json()["status"] == "cancelled"
    assert client.post(f"/v1/orders/{oid}/cancel").status_code == 409


def test_unknown_order_is_404(client):
    assert client.get("/v1/orders/does-not-exist").status_code == 404


def test_oversized_body_is_rejected(client, settings):
    big = "x" * (settings.max_body_bytes + 1)
    r = client.post("/v1/orders", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413


class DownStore:
    """A store whose database is unreachable."""

    def _down(self, *a, **k):
        from orders_api.store import Unavailable

        raise Unavailable("connection refused")

    ping = create = get = list = cancel = _down


@pytest.fixture
def down_client(settings):
    from fastapi.testclient import TestClient

    from orders_api import config
    from orders_api.app import create_app

    s = config.Settings(**{**settings.__dict__, "tracing_enabled": False})
    with TestClient(create_app(s, DownStore())) as c:
        yield c


def test_database_outage_fails_readiness_not_liveness(down_client):
    assert down_client.get("/health").status_code == 200
    r = down_client.get("/ready")
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "method, path, kwargs",
    [
        ("post", "/v1/orders", {"json": ORDER}),
        ("get", "/v1/orders", {"params": {"customer_id": "c-1"}}),
        ("get", "/v1/orders/abc", {}),
        ("post", "/v1/orders/abc/cancel", {}),
    ],
)
def test_database_outage_is_503(down_client, method, path, kwargs):
    assert getattr(down_client, method)(path, **kwargs).status_code == 503


def test_list_limit_is_bounded(client):
    assert client.get("/v1/orders", params={"customer_id": "c", "limit": 1000}).status_code == 422


def test_cancellation_can_be_switched_off(settings):
    from fastapi.testclient import TestClient

    from orders_api import config
    from orders_api.app import create_app
    from orders_api.store import MemoryStore

    s = config.Settings(**{**settings.__dict__, "tracing_enabled": False, "features": {"order_cancellation": False}})
    with TestClient(create_app(s, MemoryStore())) as c:
        oid = c.post("/v1/orders", json=ORDER).json()["id"]
        assert c.post(f"/v1/orders/{oid}/cancel").status_code == 404


def test_cancel_unknown_order_is_404(client):
    assert client.post("/v1/orders/nope/cancel").status_code == 404


def test_json_log_lines_carry_fields_and_errors():
    import json
    import logging

    from orders_api.telemetry import JsonFormatter

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        rec = logging.makeLogRecord({"name": "t", "levelno": 40, "levelname": "ERROR", "msg": "failed",
                                     "request_id": "r-1", "exc_info": sys.exc_info()})
    line = json.loads(JsonFormatter().format(rec))
    assert line["level"] == "error" and line["request_id"] == "r-1" and "RuntimeError" in line["exc"]


def test_committed_openapi_covers_every_route(client):
    import yaml

    from pathlib import Path

    spec = yaml.safe_load((Path(__file__).resolve().parent.parent / "openapi.yaml").read_text())
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    served = {(r.path, m) for r in client.app.routes for m in getattr(r, "methods", ()) if m != "HEAD"}
    assert served == documented
