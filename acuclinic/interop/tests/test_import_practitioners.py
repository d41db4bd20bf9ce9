"""Moving practitioners in from Cliniko and Jane: staff accounts with the Practitioner role
and no password, credentials recorded where the export carries them in full, and the dry
run saying what the clinic admin must add before they can be booked for acupuncture."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.interop.importing import csvrows, practitioners
from acuclinic.interop.importing.patients import ImportRefused
from acuclinic.people import roles
from acuclinic.people.models import Credential, Practitioner, User
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
CLINIKO = (DATA / "cliniko_practitioners.csv").read_bytes()
JANE = (DATA / "jane_practitioners.csv").read_bytes()


def test_dry_run_lists_creates_and_matches_with_what_to_add_and_writes_nothing():
    factories.staff_user("tamsin", role=roles.PRACTITIONER, email="TAMSIN.O@example.test")
    Practitioner.objects.create(user=User.objects.get(username="tamsin"), profession="nurse")
    before = User.objects.count()
    extra = b"Nell,Vasey,nell.v@example.test,Nurse,,,,\n"
    plan = practitioners.import_practitioners(CLINIKO + extra, "cliniko", dry_run=True)
    assert [o.action for o in plan.outcomes] == ["match", "create", "create"]
    assert plan.outcomes[0].detail.startswith("same email: tamsin")
    gideon = plan.outcomes[1].detail
    assert "Not recorded: BAcC B-77702 (the export lacks its dates)" in gideon
    assert "Add before they can be booked for acupuncture" in gideon
    assert "no professional indemnity insurance" in gideon
    assert "Qualified in traditional acupuncture (BAcC member)." in gideon
    assert "no NMC registration" in plan.outcomes[2].detail
    assert "no acupuncture qualification (traditional or medical)" in plan.outcomes[2].detail
    assert User.objects.count() == before and not plan.written


def test_real_run_creates_accounts_without_password_and_a_second_run_creates_nothing():
    plan = practitioners.import_practitioners(JANE, "jane", dry_run=False)
    assert plan.count("create") == 2 and plan.written
    rosalind = Practitioner.objects.get(user__last_name="Penhallow")
    assert rosalind.profession == "physiotherapist"
    assert rosalind.user.email == "rosalind.p@example.test"
    assert not rosalind.user.has_usable_password()
    assert rosalind.user.role == roles.PRACTITIONER
    assert rosalind.qualified_medical and not rosalind.qualified_traditional  # AACP
    assert sorted(str(c) for c in rosalind.credentials.all()) == ["AACP A-55503", "HCPC PH99003"]
    ewan = Practitioner.objects.get(user__last_name="Caldicott")
    assert [c.body for c in ewan.credentials.all()] == ["BAcC"]
    assert ewan.qualified_traditional and not ewan.qualified_medical
    assert AuditEntry.objects.filter(detail__contains="imported from jane").count() == 2 + 2 + 3

    again = practitioners.import_practitioners(JANE, "jane", dry_run=False)
    assert again.count("create") == 0 and again.count("match") == 2
    assert Practitioner.objects.count() == 2 and Credential.objects.count() == 3


def test_matches_on_name_when_the_email_differs_and_refuses_a_non_practitioner():
    p = factories.practitioner("rp")
    User.objects.filter(pk=p.user_id).update(first_name="Rosalind", last_name="Penhallow")
    factories.staff_user("ewan", role=roles.RECEPTION, email="ewan.c@example.test", first_name="E")
    plan = practitioners.import_practitioners(JANE, "jane", dry_run=True)
    assert plan.outcomes[0].action == "match" and "same name" in plan.outcomes[0].detail
    assert plan.outcomes[1].action == "error"
    assert "is not a practitioner" in plan.outcomes[1].detail


def test_one_bad_row_means_nothing_is_written_and_every_error_is_named():
    bad = JANE.replace(b"PH99003", b"12345")
    bad += b"Herb,Row,herb@example.test,Herbalist,,,,,,,\n"
    bad += b"Nia,Bad,not-an-email,Nurse,,,,,,,\n"
    bad += b"Long," + b"x" * 151 + b",long@example.test,Nurse,,,,,,,\n"
    bad += b"Twin,Row,EWAN.C@example.test,Nurse,,,,,,,\n"
    with pytest.raises(ImportRefused) as refused:
        practitioners.import_practitioners(bad, "jane", dry_run=False)
    plan = refused.value.plan
    assert [o.action for o in plan.outcomes] == [
        "error",
        "create",
        "error",
        "error",
        "error",
        "match",
    ]
    assert "PH12345" in plan.outcomes[0].detail
    assert "“Herbalist” is not one of" in plan.outcomes[2].detail
    assert "not an email address" in plan.outcomes[3].detail
    assert "last_name: Ensure this value has at most 150" in plan.outcomes[4].detail
    assert "the same person as line 3" in plan.outcomes[5].detail
    assert not User.objects.filter(email__endswith="example.test").exists()


def test_a_file_that_is_not_a_practitioners_export_is_refused():
    with pytest.raises(csvrows.ImportFileError, match="Designation"):
        practitioners.import_practitioners(
            (DATA / "cliniko_patients.csv").read_bytes(), "cliniko", dry_run=True
        )


def test_the_command_dry_runs_and_imports(tmp_path, capsys):
    path = tmp_path / "practitioners.csv"
    path.write_bytes(CLINIKO)
    call_command("import", "cliniko", "practitioners", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "line 2: create Tamsin Oakenfold" in out
    assert "HCPC PH99001 (the export lacks its dates)" in out
    assert "Dry run, nothing written. 2 rows: Would create 2" in out
    assert not Practitioner.objects.exists()
    call_command("import", "cliniko", "practitioners", str(path))
    assert Practitioner.objects.count() == 2
    path.write_bytes(CLINIKO + b"Bad,Row,,Physio,,,,\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import", "cliniko", "practitioners", str(path))


def test_an_imported_practitioner_is_invited_from_the_staff_page_and_sets_a_password(
    client, admin_user, mailoutbox
):
    practitioners.import_practitioners(JANE, "jane", dry_run=False)
    ewan = User.objects.get(email="ewan.c@example.test")
    client.force_login(admin_user)
    page = client.get(reverse("staff_list")).content.decode()
    assert f"Send {ewan.username} an invitation" in page
    assert f"Send {admin_user.username} an invitation" not in page  # has a password
    client.post(reverse("staff_change", args=[ewan.pk]), {"action": "invite"})
    assert mailoutbox[0].to == ["ewan.c@example.test"]
    link = re.search(r"http://testserver(/password/reset/\S+/\S+/)", mailoutbox[0].body).group(1)
    invited = Client()
    set_url = invited.get(link, follow=True).redirect_chain[-1][0]
    invited.post(
        set_url, {"new_password1": "quince ladder 8812", "new_password2": "quince ladder 8812"}
    )
    ewan.refresh_from_db()
    assert ewan.check_password("quince ladder 8812")
    assert AuditEntry.objects.filter(object_id=str(ewan.pk), detail="invitation sent").exists()
    client.post(reverse("staff_change", args=[ewan.pk]), {"action": "invite"})
    assert len(mailoutbox) == 1  # a password chosen: no second invitation
    assert "already chosen a password" in client.get(reverse("staff_list")).content.decode()
