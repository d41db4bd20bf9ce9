"""The production web server's recipe (acuclinic/gunicorn_conf.py with acuclinic/wsgi.py):
one preloaded app shared by forked workers, with nothing a worker must not inherit."""

import gc
import importlib

import pytest
from django.db import connection
from gunicorn.config import Config


def load_recipe() -> Config:
    """The settings gunicorn reads from the module, as gunicorn's own Config holds them."""
    from acuclinic import gunicorn_conf

    module = importlib.reload(gunicorn_conf)  # reads the environment afresh
    config = Config()
    for name in ("preload_app", "worker_class", "workers", "threads", "timeout"):
        config.set(name, getattr(module, name))
    return config


def test_the_recipe_serves_clients_on_threads_of_one_worker_that_loads_the_app_itself():
    config = load_recipe()
    assert config.worker_class_str == "gthread"
    assert config.workers == 1 and config.threads == 4
    # One worker shares nothing with the master, so the master does not load the app.
    assert config.preload_app is False


def test_several_workers_share_one_preloaded_app(monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "2")
    assert load_recipe().preload_app is True
    monkeypatch.setenv("WEB_PRELOAD", "0")
    assert load_recipe().preload_app is False


def test_the_counts_follow_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("WEB_THREADS", "6")
    config = load_recipe()
    assert (config.workers, config.threads) == (3, 6)


@pytest.mark.django_db(transaction=True)
def test_before_each_fork_the_database_connection_is_closed_and_objects_frozen():
    from acuclinic import gunicorn_conf

    connection.ensure_connection()
    assert connection.connection is not None
    try:
        gunicorn_conf.pre_fork(server=None, worker=None)
        assert connection.connection is None  # a forked worker opens its own
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_worker_that_has_loaded_the_app_freezes_it_for_the_garbage_collector():
    # Else each full collection walks the whole app while a request waits.
    from acuclinic import gunicorn_conf

    gc.unfreeze()
    try:
        gunicorn_conf.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000  # Django, every app, the URLs
    finally:
        gc.unfreeze()


def compiled_templates_after_the_master_is_ready(preload_app: bool) -> set[str]:
    from types import SimpleNamespace

    from django.template import engines

    from acuclinic import gunicorn_conf

    loader = engines["django"].engine.template_loaders[0]
    loader.reset()  # forget what earlier tests rendered
    gunicorn_conf.when_ready(SimpleNamespace(cfg=SimpleNamespace(preload_app=preload_app)))
    return set(getattr(loader, "get_template_cache", {}))


def test_a_preloaded_master_compiles_every_template_before_forking():
    compiled = compiled_templates_after_the_master_is_ready(preload_app=True)
    assert "scheduling/diary.html" in compiled, "forked workers share the compiled templates"
    assert "interop/import.html" in compiled


def test_a_lone_worker_compiles_only_the_templates_its_requests_use():
    assert compiled_templates_after_the_master_is_ready(preload_app=False) == set()


LAZY_LIBRARIES = ("fpdf", "fontTools", "PIL", "segno", "icalendar", "dateutil")


def run_in_a_fresh_process(probe: str, tmp_path) -> str:
    """What `probe` prints, run in a new interpreter set up as the production server is
    (the test process itself has imported everything the tests needed)."""
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "acuclinic.settings",
        "ACUCLINIC_VAR_DIR": str(tmp_path),
        "PYTHONPATH": ":".join(sys.path),
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_web_app_leaves_out_libraries_few_requests_need(tmp_path):
    """The PDF library (fpdf2 brings fontTools, Pillow and cryptography: about 45 MB), the
    QR code library and the iCalendar library (with dateutil, about 4 MB) load in the
    process that draws a PDF, a QR code or a calendar, not in every web process."""
    probe = (
        "import sys, acuclinic.wsgi; "
        f"print(sorted(m for m in {LAZY_LIBRARIES!r} if m in sys.modules))"
    )
    assert run_in_a_fresh_process(probe, tmp_path) == "[]"


def test_a_web_process_without_icalendar_still_writes_a_calendar_feed(tmp_path):
    """The feed imports icalendar when it is first asked for, and answers valid RFC 5545."""
    probe = """
import sys
from datetime import UTC, datetime

import acuclinic.wsgi
from acuclinic.people.models import Practitioner, User
from acuclinic.scheduling.feeds.ical import build_calendar

assert "icalendar" not in sys.modules
owner = Practitioner(user=User(username="ada", first_name="Ada", last_name="Lovelace"))
body = build_calendar(practitioner=owner, appointments=[], now=datetime.now(UTC))
from icalendar import Calendar

print(Calendar.from_ical(body)["X-WR-CALNAME"])
"""
    assert run_in_a_fresh_process(probe, tmp_path) == "Ada Lovelace – acuclinic"
