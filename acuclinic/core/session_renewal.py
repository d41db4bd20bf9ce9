"""Sessions end after ``SESSION_COOKIE_AGE`` without a request, and each request moves
that end on: renewed at most once a minute rather than on every request.

Django's ``SESSION_SAVE_EVERY_REQUEST`` wrote the session row on every page, so every
read of the diary or a record was also a database write, and on PostgreSQL a wait for
the write to reach the disk (simple pages of 10–25 ms had p95s of 54–71 ms in one
benchmark run, 10–16 ms without it: bench/pages.py). Here a session is saved as usual
when something in it changes, and otherwise when it was last renewed a minute or more
ago, so a session still ends at most ``SESSION_COOKIE_AGE`` after the last request, and
at least a minute less.
"""

from django.contrib.sessions.middleware import SessionMiddleware
from django.utils import timezone

# When the session's end was last moved on (seconds since the epoch).
RENEWED_KEY = "_renewed_at"
RENEW_EVERY_SECONDS = 60


class RenewingSessionMiddleware(SessionMiddleware):
    """Django's session middleware, with ``SESSION_SAVE_EVERY_REQUEST`` off and the
    idle end moved on by a save at most once a minute (see the module's docstring)."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(timezone.now().timestamp())
            renewed = session.get(RENEWED_KEY, 0)  # reads the session if nothing had
            # A session saved anyway counts as renewed. A cookie that names no session
            # (ended, or never one) is left to be cleared, not given a new session.
            due = session.session_key is not None and now - renewed >= RENEW_EVERY_SECONDS
            if session.modified or due:
                session[RENEWED_KEY] = now
        return super().process_response(request, response)
