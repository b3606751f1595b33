"""Configuration profiles: embedded by default, production from the environment."""

from __future__ import annotations

import pytest

from portal import config


@pytest.fixture
def prod_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db.example/portal")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/0")
    for name in ("MAIL_BACKEND", "SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_USERNAME",
                 "SMTP_PASSWORD", "MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)


def test_production_is_secure(prod_env):
    cfg = config.ProductionConfig()
    assert cfg.PROFILE == "production"
    assert cfg.SESSION_COOKIE_SECURE is True
    assert cfg.REMEMBER_COOKIE_SECURE is True
    assert cfg.SESSION_COOKIE_HTTPONLY is True and cfg.REMEMBER_COOKIE_HTTPONLY is True
    assert cfg.HSTS is True
    assert cfg.GALLERY_PUBLIC is False
    assert not hasattr(cfg, "MAILBOX_PUBLIC")  # the mailbox is for administrators anywhere
    assert cfg.SECRET_KEY == "s3cret"
    assert cfg.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db.example/portal"
    assert cfg.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True}
    assert cfg.RATELIMIT_STORAGE_URI == "redis://cache.example:6379/0"
    assert cfg.RATELIMIT_ENABLED is True
    assert cfg.CELERY["broker_url"] == cfg.CELERY["result_backend"] == "redis://cache.example:6379/0"
    assert cfg.MAIL_BACKEND == "smtp"
    assert (cfg.SMTP_HOST, cfg.SMTP_PORT, cfg.SMTP_STARTTLS) == ("localhost", 25, False)
    assert cfg.PROXY_COUNT == 1  # behind the reverse proxy of docs/operations.md


def test_production_proxy_count(prod_env, monkeypatch):
    monkeypatch.setenv("PROXY_COUNT", "0")
    assert config.ProductionConfig().PROXY_COUNT == 0
    monkeypatch.setenv("PROXY_COUNT", "2")
    assert config.ProductionConfig().PROXY_COUNT == 2


def test_production_trusts_only_the_host_of_its_base_url(prod_env, monkeypatch):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    monkeypatch.setenv("PORTAL_BASE_URL", "https://portal.city.example:8443/")
    cfg = config.ProductionConfig()
    assert cfg.PORTAL_BASE_URL == "https://portal.city.example:8443/"
    assert cfg.TRUSTED_HOSTS == ["portal.city.example"]
    monkeypatch.setenv("TRUSTED_HOSTS", "portal.city.example, .internal.example")
    assert config.ProductionConfig().TRUSTED_HOSTS == ["portal.city.example", ".internal.example"]


def test_production_reads_mail_settings(prod_env, monkeypatch):
    monkeypatch.setenv("MAIL_BACKEND", "mailbox")
    monkeypatch.setenv("SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("SMTP_PORT", "587")
    monkeypatch.setenv("SMTP_STARTTLS", "1")
    monkeypatch.setenv("MAIL_FROM", "noreply@city.example")
    cfg = config.ProductionConfig()
    assert cfg.MAIL_BACKEND == "mailbox"
    assert (cfg.SMTP_HOST, cfg.SMTP_PORT, cfg.SMTP_STARTTLS) == ("smtp.example.org", 587, True)
    assert cfg.MAIL_FROM == "noreply@city.example"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_its_settings(prod_env, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        config.ProductionConfig()


def test_profile_is_chosen_by_environment(prod_env, monkeypatch):
    monkeypatch.setenv("PORTAL_PROFILE", "production")
    assert isinstance(config.load_config(), config.ProductionConfig)
    monkeypatch.setenv("PORTAL_PROFILE", "embedded")
    assert isinstance(config.load_config(), config.EmbeddedConfig)
    assert isinstance(config.load_config("production"), config.ProductionConfig)


def test_embedded_defaults(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    for name in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    cfg = config.EmbeddedConfig()
    assert cfg.PROFILE == "embedded"
    assert f"sqlite:///{tmp_path / 'portal.sqlite'}" == cfg.SQLALCHEMY_DATABASE_URI
    assert cfg.CELERY["broker_url"].startswith("sqla+sqlite:///")
    assert cfg.CELERY["result_backend"].startswith("db+sqlite:///")
    assert not getattr(cfg, "SESSION_COOKIE_SECURE", False)
    assert cfg.HSTS is False
    assert cfg.GALLERY_PUBLIC is True
    assert not hasattr(cfg, "MAILBOX_PUBLIC")
    assert cfg.PROXY_COUNT == 0  # forwarded headers are not trusted on a laptop
    # the secret key is made once and kept private
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == cfg.SECRET_KEY
    assert len(cfg.SECRET_KEY) >= 32
    assert key_file.stat().st_mode & 0o077 == 0
    assert config.EmbeddedConfig().SECRET_KEY == cfg.SECRET_KEY


def test_embedded_secret_key_from_environment(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert config.EmbeddedConfig().SECRET_KEY == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_session_cookies_are_http_only_and_lax():
    assert config.Config.SESSION_COOKIE_HTTPONLY is True
    assert config.Config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.Config.REMEMBER_COOKIE_SAMESITE == "Lax"


def test_production_cookies_stay_secure_unless_explicitly_turned_off(prod_env, monkeypatch):
    for value in (None, "", "1", "false", "no"):
        if value is None:
            monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
        else:
            monkeypatch.setenv("SESSION_COOKIE_SECURE", value)
        cfg = config.ProductionConfig()
        assert cfg.SESSION_COOKIE_SECURE is True and cfg.REMEMBER_COOKIE_SECURE is True, value
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")  # make run-prod, on http://127.0.0.1
    cfg = config.ProductionConfig()
    assert cfg.SESSION_COOKIE_SECURE is False and cfg.REMEMBER_COOKIE_SECURE is False
    assert config.ProductionConfig.SESSION_COOKIE_SECURE is True  # the profile's default kept
    assert cfg.HSTS is True


def test_production_logs_json_by_default(prod_env, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert config.ProductionConfig().LOG_FORMAT == "json"
    monkeypatch.setenv("LOG_FORMAT", "text")
    assert config.ProductionConfig().LOG_FORMAT == "text"
