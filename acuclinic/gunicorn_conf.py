"""The production web server's settings.

    MALLOC_ARENA_MAX=2 gunicorn acuclinic.wsgi -c python:acuclinic.gunicorn_conf

Why this shape (bench/memory.py measures it against four independent sync workers):

- **One worker process with four threads.** Threads serve four clients at once while
  others wait on the database, in one copy of the app. Each thread keeps its own working
  set after a busy spell (on SQLite also its connection's page cache, up to 2 MB): after
  16 clients, eight threads held about 13 MB more than four on SQLite (147 against
  134 MB) and 5 MB more on PostgreSQL (137 against 132 MB), which takes the server past
  the 140 MB it must stay under. Eight threads did answer the 16 clients sooner on a
  busy two-CPU machine (median 1.2 s against 1.8 s, p95 2.6 against 2.8 s; four sync
  workers: 3.0 and 5.2 s): WEB_THREADS=8 buys that back for those 13 MB. One worker had
  a lower p95 than two of four or two of eight (and the least memory): the database and
  the clients use the other CPU. Every extra worker adds its private memory under load
  (about 30 MB).
- **MALLOC_ARENA_MAX=2 in the server's environment.** glibc gives each thread that
  allocates at once a malloc arena of its own, each keeping freed memory for itself;
  two saved 1 to 3 MB after 16 clients, latency within the noise of a busy machine. It
  must be set before the process starts (glibc reads it once), so it belongs to the
  command or the service (Environment=MALLOC_ARENA_MAX=2), not this file.
- **A preloaded app only when there are several workers.** With preload the master
  imports Django, every app, the URL configuration and the API's schemas once
  (acuclinic/wsgi.py does it at import), compiles every template (when_ready below),
  then forks, and the workers share those pages instead of each building its own copy
  of about 110 MB; gc.freeze() before forking keeps the garbage collector from writing
  to (and so copying) every shared object. With one worker there is nothing to share
  with: the master would keep its copy while the worker's reference counts copy the
  pages it touches, about 20 MB more after 16 clients than a master that never loads
  the app (bench/memory.py, WEB_PRELOAD=0 beside it), and the lone worker compiles only
  the templates it renders.

WEB_WORKERS and WEB_THREADS override the counts: on a machine with more CPUs, a worker
per two CPUs. WEB_PRELOAD=1 or 0 overrides the choice of preloading.

gunicorn also names itself in a ``Server:`` header on every response; a banner only helps
someone looking for a known hole in a given version, so it is left out.
"""

import gc
import os

from gunicorn.http import wsgi as _gunicorn_wsgi

# gunicorn's own method, even when this file is read a second time (a reload would
# otherwise wrap the wrapper and call itself).
_default_headers = getattr(
    _gunicorn_wsgi.Response.default_headers,
    "__wrapped__",
    _gunicorn_wsgi.Response.default_headers,
)


def _headers_without_banner(self):
    return [line for line in _default_headers(self) if not line.startswith("Server:")]


_headers_without_banner.__wrapped__ = _default_headers
_gunicorn_wsgi.Response.default_headers = _headers_without_banner

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "1"))
preload_app = os.environ.get("WEB_PRELOAD", "1" if workers > 1 else "0") == "1"
threads = int(os.environ.get("WEB_THREADS", "4"))
# A request held longer than this is a stuck worker: kill it and start another.
timeout = 60
graceful_timeout = 30
proc_name = "acuclinic-web"


def when_ready(server):
    """Runs in the master once it listens, before the first worker is forked: a
    preloaded app compiles every template here, once, for all the workers to share."""
    if server.cfg.preload_app:
        from acuclinic.wsgi import compile_every_template

        compile_every_template()


def post_worker_init(worker):
    """Runs in each worker once it has loaded the app: everything imported so far lives
    as long as the worker, so the garbage collector is told to leave it be. Otherwise
    each full collection walks the whole app (about 200,000 objects) while a request
    waits: a diary week spent about 100 ms a request collecting, against 17 ms frozen."""
    gc.collect()
    gc.freeze()


def pre_fork(server, worker):
    """Runs in the master before each fork: no database connection may be inherited
    (two processes on one socket corrupt it), and the imported objects are frozen."""
    from django.db import connections

    connections.close_all()
    gc.freeze()
