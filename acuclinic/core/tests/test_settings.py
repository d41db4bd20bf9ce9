"""Configuration comes from the environment, with safe defaults for a laptop and a
production setup that passes Django's deployment checks."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as live_settings
from django.db import connection

from acuclinic.settings import BASE_DIR, database_from_url
from acuclinic.testing.markers import only_sqlite

PRODUCTION_KEY = "k" * 10 + "-production-secret-for-the-deploy-check-only-" + "z" * 10


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a fresh interpreter with only ``env`` set, as a server or operator would."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env}
    return subprocess.run(
        args, env=clean, cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False
    )


def settings_under(env: dict[str, str], *names: str) -> dict:
    """The values of ``names`` when acuclinic.settings is loaded with ``env``."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run(
        [sys.executable, "-c", code], {"DJANGO_SETTINGS_MODULE": "acuclinic.settings", **env}
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def acuclinic_command() -> list[str]:
    script = Path(sys.executable).with_name("acuclinic")
    return [str(script)] if script.exists() else [sys.executable, "-m", "acuclinic"]


# DATABASE_URL


def test_sqlite_gets_wal_foreign_keys_and_immediate_transactions(tmp_path):
    config = database_from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    options = config["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert "PRAGMA foreign_keys=ON" in options["init_command"]
    assert "PRAGMA busy_timeout=" in options["init_command"]


def test_postgresql_url_names_the_server_and_database():
    config = database_from_url("postgres://clinic:pw@db.example:5433/acuclinic")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "acuclinic")


@pytest.mark.parametrize("url", ["postgres://db.example/acuclinic", "sqlite:///clinic.sqlite3"])
def test_both_databases_keep_connections_open_and_check_them(monkeypatch, url):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    config = database_from_url(url)
    assert config["CONN_MAX_AGE"] == 600
    assert config["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("url", ["postgres://db.example/acuclinic", "sqlite:///clinic.sqlite3"])
def test_conn_max_age_can_be_set_from_the_environment(monkeypatch, url):
    monkeypatch.setenv("CONN_MAX_AGE", "30")
    assert database_from_url(url)["CONN_MAX_AGE"] == 30


def test_without_database_url_the_database_is_sqlite_in_the_var_folder(tmp_path):
    values = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path)}, "DATABASES")
    default = values["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.sqlite3"
    assert default["NAME"] == str(tmp_path / "acuclinic.sqlite3")


def test_database_url_switches_to_postgresql(tmp_path):
    values = settings_under(
        {"ACUCLINIC_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://db.example/clinic"},
        "DATABASES",
    )
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"


@only_sqlite
def test_the_running_sqlite_database_is_in_wal_mode(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


def test_the_running_database_connection_is_kept_open():
    assert live_settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


# SECRET_KEY


def test_a_local_secret_key_is_generated_once_private_and_reused(tmp_path):
    first = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path)}, "SECRET_KEY")["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path)}, "SECRET_KEY")["SECRET_KEY"]
    assert second == first


def test_each_install_gets_its_own_secret_key(tmp_path):
    one = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path / "a")}, "SECRET_KEY")
    two = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path / "b")}, "SECRET_KEY")
    assert one != two


def test_secret_key_from_the_environment_wins_and_no_file_is_written(tmp_path):
    values = settings_under(
        {"ACUCLINIC_VAR_DIR": str(tmp_path), "SECRET_KEY": PRODUCTION_KEY}, "SECRET_KEY"
    )
    assert values["SECRET_KEY"] == PRODUCTION_KEY
    assert not (tmp_path / "secret_key").exists()


# Hosts, email, debug and HTTPS


def test_allowed_hosts_come_from_the_environment(tmp_path):
    values = settings_under(
        {"ACUCLINIC_VAR_DIR": str(tmp_path), "ALLOWED_HOSTS": "clinic.example, www.clinic.example"},
        "ALLOWED_HOSTS",
    )
    assert values["ALLOWED_HOSTS"] == ["clinic.example", "www.clinic.example"]


def test_by_default_only_this_machine_is_an_allowed_host(tmp_path):
    values = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path)}, "ALLOWED_HOSTS", "DEBUG")
    assert values == {"ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]"], "DEBUG": False}


def test_email_settings_come_from_the_environment(tmp_path):
    values = settings_under(
        {
            "ACUCLINIC_VAR_DIR": str(tmp_path),
            "EMAIL_HOST": "smtp.example",
            "EMAIL_PORT": "2525",
            "EMAIL_HOST_USER": "clinic",
            "EMAIL_HOST_PASSWORD": "mail-secret",
            "EMAIL_USE_TLS": "0",
            "DEFAULT_FROM_EMAIL": "Riverside Physio <hello@clinic.example>",
        },
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "DEFAULT_FROM_EMAIL",
        "SERVER_EMAIL",
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "clinic",
        "EMAIL_HOST_PASSWORD": "mail-secret",
        "EMAIL_USE_TLS": False,
        "DEFAULT_FROM_EMAIL": "Riverside Physio <hello@clinic.example>",
        "SERVER_EMAIL": "Riverside Physio <hello@clinic.example>",
    }


def test_without_an_smtp_host_mail_goes_to_the_console(tmp_path):
    values = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path)}, "EMAIL_BACKEND")
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_https_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path):
    names = (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
    )
    local = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path)}, *names)
    behind_tls = settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path), "HTTPS": "1"}, *names)
    assert local == dict.fromkeys(names, False) | {"SECURE_HSTS_SECONDS": 0}
    assert behind_tls == dict.fromkeys(names, True) | {"SECURE_HSTS_SECONDS": 31536000}


# The deployment check


def production_env(var_dir: Path) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": PRODUCTION_KEY,
        "ALLOWED_HOSTS": "clinic.example",
        "ACUCLINIC_VAR_DIR": str(var_dir),
    }


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    assert len(PRODUCTION_KEY) >= 50
    result = run([*acuclinic_command(), "check", "--deploy"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_warns_about_a_laptop_setup_used_in_production(tmp_path):
    # The other side: the check does notice when production settings are missing.
    result = run(
        [*acuclinic_command(), "check", "--deploy"],
        {"ACUCLINIC_VAR_DIR": str(tmp_path), "DEBUG": "1"},
    )
    output = result.stdout + result.stderr
    assert "security.W018" in output  # DEBUG on
    assert "security.W004" in output  # no HSTS


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE"])
def test_debug_accepts_the_usual_ways_of_saying_yes(tmp_path, value):
    assert settings_under({"ACUCLINIC_VAR_DIR": str(tmp_path), "DEBUG": value}, "DEBUG") == {
        "DEBUG": True
    }
