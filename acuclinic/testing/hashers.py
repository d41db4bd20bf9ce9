"""A password hasher for the test suite: argon2id, as in production, with small costs.

Production hashes with Django's ``Argon2PasswordHasher`` (100 MiB, two passes, eight
lanes: about 0.1–0.2 s a password on purpose). The suite signs in through the form
hundreds of times (every browser test, the account and two-factor tests), and each of
those checks a password at that cost for nothing the test asks about. The hashes are
still argon2id, and ``core/tests/test_accounts.py`` checks that production's settings
keep Django's own hasher first.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1
