"""A WSGI application that does nothing: it reads the request and answers 201 with a
small JSON body, as a booking would, without Django, a database or any checks.

The scheduling benchmark serves it with the same gunicorn settings and sends it the same
requests from the same clients as the real API, so its throughput is the ceiling that
HTTP alone sets on this machine: no booking endpoint can go faster than this.
"""

BODY = b'{"id": 0, "status": "booked"}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("201 Created", HEADERS)
    return [BODY]
