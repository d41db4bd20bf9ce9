"""Settings for the test suite.

Runs on SQLite by default; set ACUCLINIC_TEST_DATABASE_URL (e.g.
``postgres://root@127.0.0.1:5432/test``) to run the same tests on PostgreSQL.
"""

import os

from acuclinic.settings import *  # noqa: F403
from acuclinic.settings import VAR_DIR, database_from_url

_test_url = os.environ.get("ACUCLINIC_TEST_DATABASE_URL")
DATABASES = {"default": database_from_url(_test_url or f"sqlite:///{VAR_DIR / 'test.sqlite3'}")}
DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"] + "_acuclinic_test"}
if not _test_url:
    # A file, not :memory:, so that the browser tests' live server and the test see
    # the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_acuclinic.sqlite3")}

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
