"""The WSGI application, with everything a request needs imported now rather than on the
first request: under gunicorn's preload (acuclinic/gunicorn_conf.py) that work happens
once in the master and the forked workers share it."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acuclinic.settings")
application = get_wsgi_application()


def _import_what_requests_need() -> None:
    from pathlib import Path

    from django.apps import apps
    from django.template.loader import get_template
    from django.urls import get_resolver

    # The URL configuration imports every view and the API with its schemas.
    get_resolver().url_patterns  # noqa: B018
    # Compiled templates live in the cached loader of each process (DEBUG off): compile
    # every one of ours now, once, rather than in every worker on its first requests.
    for app in apps.get_app_configs():
        folder = Path(app.path) / "templates"
        if app.name.startswith("acuclinic.") and folder.is_dir():
            for path in folder.rglob("*.html"):
                get_template(path.relative_to(folder).as_posix())


_import_what_requests_need()
