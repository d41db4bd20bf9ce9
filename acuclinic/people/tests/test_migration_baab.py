"""The migration that adds council credentials keeps every credential on file, a "BAAB
membership" included: it is not changed or dropped, it just no longer counts, and what
the clinic then sees names it."""

from datetime import date

from acuclinic.people.models import Credential, Practitioner
from acuclinic.testing.old_migrations import migrate_to_latest, start_at_old_migrations

BEFORE = [("people", "0003_calendarfeedtoken")]


def test_a_baab_membership_is_kept_and_named_as_not_counting(migration_database):
    executor = start_at_old_migrations(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("people", "User").objects.create(username="ada", password="!")
    practitioner = old.get_model("people", "Practitioner").objects.create(
        user=user, profession="acupuncturist", qualified_traditional=True
    )
    credential = old.get_model("people", "Credential")
    rows = [
        credential.objects.create(
            practitioner=practitioner,
            kind=kind,
            body=body,
            number=number,
            valid_from=date(2025, 6, 1),
            valid_until=date(2026, 5, 31),
        )
        for kind, body, number in [
            ("membership", "BAAB", "B-1234"),
            ("insurance", "Hollins Mutual", "PI-77"),
        ]
    ]

    migrate_to_latest()

    kept = Credential.objects.filter(practitioner_id=practitioner.pk).order_by("pk")
    assert [(c.pk, c.kind, c.body, c.number, c.valid_from, c.valid_until) for c in kept] == [
        (row.pk, row.kind, row.body, row.number, row.valid_from, row.valid_until) for row in rows
    ]
    after = Practitioner.objects.get(pk=practitioner.pk)
    assert after.credential_problems(date(2026, 3, 3)) == [
        "no acupuncture body membership valid on 3 Mar 2026 (the BAAB membership on file "
        "does not count: the BAAB accredits acupuncture courses, it is not a membership "
        "body)"
    ]
    assert not kept[0].counts
