from pathlib import Path

import pytest

from orders_api import config
from orders_api.store import MemoryStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings():
    return config.load(ROOT / "config", env={"APP_ENV": "test"})


@pytest.fixture
def client(settings):
    from fastapi.testclient import TestClient

    from orders_api.app import create_app

    # Tracing would try to reach a collector; unit tests stay offline.
    s = config.Settings(**{**settings.__dict__, "tracing_enabled": False})
    with TestClient(create_app(s, MemoryStore())) as c:
        yield c
