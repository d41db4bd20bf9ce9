"""The suite never depends on the machine's speed (DEVELOPERS.md; issue 19, point 5)."""

from hypothesis import settings


def test_property_tests_have_no_time_limit():
    # hypothesis' default 200 ms deadline failed a full run on a loaded machine once.
    assert settings.default.deadline is None
