import pytest
from django.conf import settings


def _engine() -> str:
    return settings.DATABASES["default"]["ENGINE"]


# For the few guarantees only PostgreSQL gives (exclusion constraints, DELETE triggers);
# CI runs the suite on PostgreSQL too, so these always run there.
only_postgres = pytest.mark.skipif(
    "postgresql" not in _engine(), reason="a PostgreSQL-only guarantee"
)
only_sqlite = pytest.mark.skipif("sqlite" not in _engine(), reason="an SQLite-only setting")
