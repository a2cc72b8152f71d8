import pytest

from pathlib import Path

from orders_api import config

ROOT = Path(__file__).resolve().parent.parent


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
        {"db_sslmode": "disable"},
        {"max_concurrent_requests": 0},
    ],
)
def test_production_rejects_unsafe_settings(change):
    s = config.Settings(environment="production", **change)
    with pytest.raises(config.ConfigError):
        config.validate(s)


def test_bad_level_is_rejected():
    with pytest.raises(config.ConfigError):
        config.validate(config.Settings(log_level="verbose"))


def test_environment_file_overrides_base(tmp_path):
    (tmp_path / "app.toml").write_text((ROOT / "config" / "app.toml").read_text())
    (tmp_path / "app.staging.toml").write_text('[tracing]\nsample_ratio = 1.0\n[feature_flags]\norder_cancellation = false\n')
    s = config.load(tmp_path, env={"APP_ENV": "staging"})
    assert s.trace_sample_ratio == 1.0 and not s.feature("order_cancellation")
    assert s.log_format == "json"  # untouched keys keep the base value


def test_broken_toml_names_the_file(tmp_path):
    (tmp_path / "app.toml").write_text("[log\nlevel = 'info'\n")
    with pytest.raises(config.ConfigError, match="app.toml"):
        config.load(tmp_path, env={})
