"""The production web server's settings.

    gunicorn acuclinic.wsgi -c python:acuclinic.gunicorn_conf

Why this shape (bench/memory.py measures it against four independent sync workers):

- **One preloaded app, forked.** The master imports Django, every app, the URL
  configuration, the API's schemas and the reference catalogues once (acuclinic/wsgi.py
  does all of it at import), then forks. The workers share those pages with the master
  instead of each building its own copy of about 110 MB.
- **gc.freeze() before forking.** Python's garbage collector writes to every object it
  scans, which would copy each shared page into the worker that touched it; frozen
  objects are never scanned, so the pages stay shared.
- **One worker process with eight threads.** Threads serve eight clients at once while
  others wait on the database, in one copy of the app. On the two-CPU machine of
  bench/memory.py, sixteen clients saw a lower p95 from one worker of eight threads than
  from two of four or two of eight (and the least memory): the database and the clients
  use the other CPU. Every extra worker adds its private memory under load (about 30 MB).

WEB_WORKERS and WEB_THREADS override the counts: on a machine with more CPUs, a worker
per two CPUs.

gunicorn also names itself in a ``Server:`` header on every response; a banner only helps
someone looking for a known hole in a given version, so it is left out.
"""

import gc
import os

from gunicorn.http import wsgi as _gunicorn_wsgi

_default_headers = _gunicorn_wsgi.Response.default_headers


def _headers_without_banner(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


_gunicorn_wsgi.Response.default_headers = _headers_without_banner

preload_app = os.environ.get("WEB_PRELOAD", "1") == "1"
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "1"))
threads = int(os.environ.get("WEB_THREADS", "8"))
# A request held longer than this is a stuck worker: kill it and start another.
timeout = 60
graceful_timeout = 30
proc_name = "acuclinic-web"


def pre_fork(server, worker):
    """Runs in the master before each fork: no database connection may be inherited
    (two processes on one socket corrupt it), and the imported objects are frozen."""
    from django.db import connections

    connections.close_all()
    gc.freeze()
