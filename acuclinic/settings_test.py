"""Settings for the test suite.

Runs on SQLite by default; set ACUCLINIC_TEST_DATABASE_URL (e.g.
``postgres://root@127.0.0.1:5432/test``) to run the same tests on PostgreSQL.
ACUCLINIC_TEST_DB_SUFFIX keeps two test runs on one machine (say, two checkouts or a
benchmark beside the suite) from sharing, and destroying, each other's test database.
"""

import os

from acuclinic.settings import *  # noqa: F403
from acuclinic.settings import VAR_DIR, database_from_url

_test_url = os.environ.get("ACUCLINIC_TEST_DATABASE_URL")
_suffix = os.environ.get("ACUCLINIC_TEST_DB_SUFFIX", "")
DATABASES = {"default": database_from_url(_test_url or f"sqlite:///{VAR_DIR / 'test.sqlite3'}")}
if _test_url:
    DATABASES["default"]["TEST"] = {"NAME": f"{DATABASES['default']['NAME']}_acuclinic{_suffix}"}
    # A test database is thrown away: its commits (browser and transactional tests flush
    # and write between every test) need not wait for the disk. Only this connection's
    # commits are affected; the server's settings are left as they are.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
else:
    # A file, not :memory:, so that the browser tests' live server and the test see
    # the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_acuclinic{_suffix}.sqlite3")}
    # Django's SQLite backend, but its flush between browser tests lifts the audit
    # table's DELETE trigger for that transaction (acuclinic.testing.sqlite_backend).
    DATABASES["default"]["ENGINE"] = "acuclinic.testing.sqlite_backend"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# argon2id at small costs: the suite checks passwords hundreds of times (see
# acuclinic/testing/hashers.py); production keeps Django's own.
PASSWORD_HASHERS = [
    "acuclinic.testing.hashers.QuickArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# One process's memory; the suite makes far more API calls a minute than a real client,
# so the limits are lifted (the rate limit's own tests set them low).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ACUCLINIC_API_RATE_PER_TOKEN = ACUCLINIC_API_RATE_PER_ADDRESS = 1_000_000
ACUCLINIC_RESET_RATE_PER_ADDRESS = ACUCLINIC_RESET_RATE_PER_EMAIL = 1_000_000
# Users' ids repeat from test to test, so a bulk-read count could run across tests: lifted
# too (its test sets it low).
ACUCLINIC_BULK_READ_THRESHOLD = 1_000_000
