from app import app


def test_health_route_exists():
    assert "/health" in [r.rule for r in app.url_map.iter_rules()]
