"""Post-deploy smoke tests: run by the release workflow against staging and
production with SMOKE_BASE_URL set. Read-only except for one order created
under a dedicated synthetic customer."""

import os

import pytest

BASE = os.environ.get("SMOKE_BASE_URL")
TOKEN = os.environ.get("SMOKE_TOKEN", "")
pytestmark = pytest.mark.skipif(not BASE, reason="SMOKE_BASE_URL is not set")


@pytest.fixture
def http():
    import httpx

    with httpx.Client(base_url=BASE, timeout=5, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c


def test_ready(http):
    assert http.get("/ready").status_code == 200


def test_order_round_trip(http):
    r = http.post("/v1/orders", json={"customer_id": "synthetic-smoke", "currency": "EUR",
                                      "items": [{"sku": "SMOKE-1", "quantity": 1, "unit_price_cents": 0}]})
    assert r.status_code == 201
    assert http.get(f"/v1/orders/{r.json()['id']}").status_code == 200
