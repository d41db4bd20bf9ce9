"""The WSGI application, with the URL configuration (every view, the API and its
schemas) imported now rather than on the first request.

Under gunicorn's preload (acuclinic/gunicorn_conf.py, several workers) the master also
compiles every template before forking (compile_every_template), so the forked workers
share them. A lone worker compiles only the templates its requests use, as Django does
on first use: compiling all of them up front held about 6 MB that nothing shared.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "acuclinic.settings")
application = get_wsgi_application()


def _import_what_requests_need() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018


def compile_every_template() -> None:
    """Compiled templates live in the cached loader of each process (DEBUG off): compile
    every one of ours now, once, in the master that workers are forked from."""
    from pathlib import Path

    from django.apps import apps
    from django.template.loader import get_template

    for app in apps.get_app_configs():
        folder = Path(app.path) / "templates"
        if app.name.startswith("acuclinic.") and folder.is_dir():
            for path in folder.rglob("*.html"):
                get_template(path.relative_to(folder).as_posix())


_import_what_requests_need()
