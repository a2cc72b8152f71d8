import pytest

from orders_api import config

from .conftest import ROOT


def test_base_config_is_production_safe():
    s = config.load(ROOT / "config", env={"APP_ENV": "production"})
    assert s.log_level == "info" and s.log_format == "json"
    assert "*" not in s.cors_allowed_origins
    assert s.database_url is None  # only ever from the environment
    assert s.trace_sample_ratio < 1.0


def test_env_overrides_log_level():
    s = config.load(ROOT / "config", env={"APP_ENV": "test", "LOG_LEVEL": "WARNING"})
    assert s.log_level == "warning"


@pytest.mark.parametrize(
    "change",
    [
        {"log_level": "debug"},
        {"log_format": "text"},
        {"cors_allowed_origins": ("*",)},
    ],
)
def test_production_rejects_unsafe_settings(change):
    s = config.Settings(environment="production", **change)
    with pytest.raises(config.ConfigError):
        config.validate(s)


def test_bad_level_is_rejected():
    with pytest.raises(config.ConfigError):
        config.validate(config.Settings(log_level="verbose"))
