"""gunicorn settings for acuclinic: ``gunicorn -c python:acuclinic.gunicorn_conf acuclinic.wsgi``.

gunicorn names itself in a ``Server:`` header on every response; a banner only helps
someone looking for a known hole in a given version, so it is left out.
"""

from gunicorn.http import wsgi as _gunicorn_wsgi

_default_headers = _gunicorn_wsgi.Response.default_headers


def _headers_without_banner(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


_gunicorn_wsgi.Response.default_headers = _headers_without_banner
