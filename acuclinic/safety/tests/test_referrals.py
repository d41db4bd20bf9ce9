"""Referral letters: issued only while a refer flag stands, in words a doctor reads, kept
as issued, and shown on the patient's record; bad input writes nothing."""

from datetime import date

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.core.errors import InvalidRequest
from acuclinic.people.models import Practitioner
from acuclinic.safety import referral_letter
from acuclinic.safety.models import ImmutableRecord, Referral
from acuclinic.safety.services import referral_issue
from acuclinic.testing import factories

SADDLE = "Do you have numbness or tingling between your legs, around your genitals or back passage?"
BLADDER = "Have you had new difficulty passing or controlling urine, or new loss of bowel control?"


@pytest.fixture
def cauda_equina(patient, practitioner):
    """Numbness in the saddle area and new bladder trouble: refer today, to A&E."""
    patient.given_name, patient.family_name = "Margaret", "Okafor"
    patient.date_of_birth = date(1961, 3, 3)
    patient.nhs_number = "9434765919"
    patient.address_line1, patient.town, patient.postcode = "4 Elm Road", "Testford", "TE2 2AB"
    patient.gp_practice = "Castle Street Surgery"
    patient.save()
    factories.safety_questionnaire(
        patient, by=practitioner.user, ces_saddle_numbness=True, ces_bladder_bowel=True
    )
    return patient


@pytest.fixture
def serious_pathology(patient, practitioner):
    factories.safety_questionnaire(
        patient, by=practitioner.user, new_back_pain=True, weight_loss=True, night_pain=True
    )
    return patient


def created_entries():
    return AuditEntry.objects.filter(action="create", object_type="safety.referral")


# ── The letter ───────────────────────────────────────────────────────────────────────


def test_a_letter_to_a_and_e_gives_the_patient_the_answers_the_advice_and_who_signs_it(
    cauda_equina, practitioner
):
    referral = referral_issue(cauda_equina, destination="ae", user=practitioner.user)

    text = referral.text
    assert text.startswith("Riverside Physio\n1 Mill Lane, Testford, TE1 1ST\n")
    assert "Telephone 0161 496 0000" in text
    assert "To: The duty doctor, Emergency Department (A&E)" in text
    assert "EMERGENCY REFERRAL: please assess today" in text
    assert "Patient: Margaret Okafor" in text
    assert "Date of birth: 3 March 1961" in text
    assert "NHS number: 943 476 5919" in text
    assert "Address: 4 Elm Road, Testford, TE2 2AB" in text
    assert "GP practice: Castle Street Surgery" in text
    assert "Possible cauda equina syndrome (emergency, same day)" in text
    # The answers that raised the flag, in words; the ones that did not are left out.
    assert f"- {SADDLE} Yes" in text
    assert f"- {BLADDER} Yes" in text
    assert "weakness or numbness in both legs" not in text
    assert "ces_" not in text
    assert "Advice given to the patient, in writing: Go to your nearest A&E today" in text
    user = practitioner.user
    assert f"Yours sincerely,\n\n{user.display_name}\nPhysiotherapist, HCPC registration " in text
    assert f"number PH{practitioner.pk:05d}" in text

    assert referral.destination == "ae" and referral.urgency == "emergency"
    assert referral.rule_ids == ["cauda-equina"]
    assert referral.issued_by == user
    assert created_entries().filter(patient_id=cauda_equina.pk, actor=user).count() == 1


def test_a_letter_for_an_urgent_flag_asks_the_gp_to_see_them_soon(serious_pathology, practitioner):
    serious_pathology.gp_practice = ""
    serious_pathology.save()
    referral = referral_issue(serious_pathology, destination="gp", user=practitioner.user)
    assert referral.urgency == "urgent"
    assert "URGENT REFERRAL: please assess soon" in referral.text
    assert "EMERGENCY" not in referral.text
    assert "To: The patient's GP (practice not recorded" in referral.text
    assert "GP practice: not recorded" in referral.text
    assert "NHS number: not recorded" in referral.text
    assert "- Have you lost weight recently without trying to? Yes" in referral.text
    assert "Possible serious spinal pathology (urgent)" in referral.text


def test_an_acupuncturist_without_a_statutory_register_signs_with_their_membership(
    clinic, cauda_equina
):
    acupuncturist = factories.practitioner(
        "ling", profession="acupuncturist", qualified_traditional=True
    )
    referral = referral_issue(cauda_equina, destination="ae", user=acupuncturist.user)
    assert f"Acupuncturist, BAcC membership number M{acupuncturist.pk:05d}" in referral.text


# ── Refusals write nothing ───────────────────────────────────────────────────────────


def test_no_letter_without_a_standing_refer_flag(patient, practitioner):
    factories.safety_questionnaire(patient, by=practitioner.user, diabetes=True)
    with pytest.raises(InvalidRequest) as refused:
        referral_issue(patient, destination="gp", user=practitioner.user)
    assert refused.value.code == "no_referral_flag"
    assert "nothing to refer" in refused.value.message
    assert not Referral.objects.exists()
    assert not created_entries().exists()


def test_no_letter_without_a_questionnaire(patient, practitioner):
    with pytest.raises(InvalidRequest) as refused:
        referral_issue(patient, destination="gp", user=practitioner.user)
    assert refused.value.code == "questionnaire_missing"
    assert not Referral.objects.exists()


@pytest.mark.parametrize("destination", ["", None, "hospital"])
def test_a_letter_needs_its_destination(cauda_equina, practitioner, destination):
    with pytest.raises(InvalidRequest) as refused:
        referral_issue(cauda_equina, destination=destination, user=practitioner.user)
    assert refused.value.code == "destination_required"
    assert refused.value.field == "destination"
    assert not Referral.objects.exists()
    assert not created_entries().exists()


def test_a_letter_is_signed_by_a_practitioner(cauda_equina, admin_user):
    assert not Practitioner.objects.filter(user=admin_user).exists()
    with pytest.raises(InvalidRequest) as refused:
        referral_issue(cauda_equina, destination="ae", user=admin_user)
    assert refused.value.code == "not_a_practitioner"
    assert not Referral.objects.exists()


def test_further_notes_are_kept_within_bounds(cauda_equina, practitioner):
    with pytest.raises(InvalidRequest) as refused:
        referral_issue(cauda_equina, destination="ae", notes="x" * 2001, user=practitioner.user)
    assert refused.value.code == "notes_too_long"
    referral = referral_issue(
        cauda_equina,
        destination="ae",
        notes="  Saddle numbness since Friday.  ",
        user=practitioner.user,
    )
    assert "Further notes: Saddle numbness since Friday." in referral.text


# ── Kept as issued ───────────────────────────────────────────────────────────────────


def test_an_issued_letter_is_never_changed(cauda_equina, practitioner):
    referral = referral_issue(cauda_equina, destination="ae", user=practitioner.user)
    referral.text = "Something else"
    with pytest.raises(ImmutableRecord):
        referral.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(text="Something else")
    referral.refresh_from_db()
    assert referral.text.startswith("Riverside Physio")


def test_the_letter_wording_needs_a_flag():
    facts = referral_letter.LetterFacts(
        destination="gp",
        issued_on="Mon 7 Dec 2026",
        clinic_name="C",
        clinic_address="",
        clinic_phone="",
        clinic_email="",
        patient_name="P",
        date_of_birth="Sun 3 Mar 1961",
        nhs_number="",
        patient_address="",
        gp_practice="",
        questionnaire_on="Mon 7 Dec 2026",
        flags=(),
        clinician_name="S",
        profession="Physiotherapist",
        registration="",
    )
    with pytest.raises(ValueError):
        referral_letter.compose(facts)


# ── Pages: who may, what is audited, what the record shows ───────────────────────────


def test_the_practitioner_issues_a_letter_and_the_record_shows_it(
    client, cauda_equina, practitioner
):
    client.force_login(practitioner.user)
    form = client.get(reverse("safety_referral_new", args=[cauda_equina.pk]))
    assert form.status_code == 200
    page = form.content.decode()
    assert "Possible cauda equina syndrome" in page
    assert SADDLE in page
    assert AuditEntry.objects.filter(
        action="view", patient_id=cauda_equina.pk, detail="referral letter form"
    ).exists()

    response = client.post(
        reverse("safety_referral_new", args=[cauda_equina.pk]), {"destination": "ae"}
    )
    referral = Referral.objects.get()
    assert response["Location"] == reverse("safety_referral", args=[cauda_equina.pk, referral.pk])

    letter = client.get(response["Location"]).content.decode()
    assert "Referral letter to A&amp;E" in letter
    assert "EMERGENCY REFERRAL: please assess today" in letter
    assert AuditEntry.objects.filter(
        action="view",
        object_type="safety.referral",
        object_id=str(referral.pk),
        actor=practitioner.user,
    ).exists()

    pdf = client.get(reverse("safety_referral_pdf", args=[cauda_equina.pk, referral.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(
        action="view", object_type="safety.referral", detail="referral letter (PDF)"
    ).exists()

    record = client.get(reverse("patient_detail", args=[cauda_equina.pk])).content.decode()
    assert "Referred to A&amp;E on " in record
    safety = client.get(reverse("safety_patient", args=[cauda_equina.pk])).content.decode()
    assert "Referred to A&amp;E on " in safety


def test_the_page_refuses_a_letter_without_a_destination(client, cauda_equina, practitioner):
    client.force_login(practitioner.user)
    response = client.post(reverse("safety_referral_new", args=[cauda_equina.pk]), {"notes": "x"})
    assert response.status_code == 200
    assert "Choose where the letter goes: the patient&#x27;s GP or A&amp;E." in (
        response.content.decode()
    )
    assert not Referral.objects.exists()


def test_the_page_says_there_is_nothing_to_refer(client, patient, practitioner):
    factories.safety_questionnaire(patient, by=practitioner.user)
    client.force_login(practitioner.user)
    url = reverse("safety_referral_new", args=[patient.pk])
    assert "nothing to refer" in client.get(url).content.decode()
    response = client.post(url, {"destination": "gp"})
    assert response.status_code == 200
    assert "No refer flag stands" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("name", ["safety_referral", "safety_referral_pdf"])
def test_reception_can_neither_read_nor_write_a_letter(
    client, cauda_equina, practitioner, reception_user, name
):
    referral = referral_issue(cauda_equina, destination="ae", user=practitioner.user)
    client.force_login(reception_user)
    url = reverse(name, args=[cauda_equina.pk, referral.pk])
    assert client.get(url).status_code == 403
    assert AuditEntry.objects.filter(action="denied", actor=reception_user, detail=url).exists()
    new = reverse("safety_referral_new", args=[cauda_equina.pk])
    assert client.post(new, {"destination": "gp"}).status_code == 403
    assert Referral.objects.count() == 1
    # The record tells reception there are flags, never that a referral was made.
    record = client.get(reverse("patient_detail", args=[cauda_equina.pk])).content.decode()
    assert "Referred to" not in record


def test_a_letter_is_only_found_under_its_own_patient(client, cauda_equina, practitioner):
    referral = referral_issue(cauda_equina, destination="ae", user=practitioner.user)
    other = factories.patient()
    client.force_login(practitioner.user)
    url = reverse("safety_referral", args=[other.pk, referral.pk])
    assert client.get(url).status_code == 404


def test_the_clinic_the_headline_and_each_flag_stand_out_on_the_page_and_in_the_pdf(
    cauda_equina, practitioner
):
    referral = referral_issue(cauda_equina, destination="gp", user=practitioner.user)
    strong = [line for line, bold in referral_letter.marked_lines(referral.text) if bold]
    assert strong == [
        "Riverside Physio",
        "EMERGENCY REFERRAL: please assess today",
        "Possible cauda equina syndrome (emergency, same day)",
    ]
    # Sent to the GP, an emergency still says where the patient was told to go.
    assert "I have advised them to go to A&E today, and write so that you know." in referral.text


def test_anonymising_a_record_past_retention_deletes_its_letters(
    cauda_equina, practitioner, admin_user
):
    from acuclinic.interop import retention
    from acuclinic.people.models import Patient

    referral_issue(cauda_equina, destination="ae", user=practitioner.user)
    # Registered long ago and not seen since: past retention.
    Patient.objects.filter(pk=cauda_equina.pk).update(
        created_at=timezone.now().replace(year=2010), date_of_birth=date(1950, 6, 7)
    )
    retention.anonymise([cauda_equina.pk], user=admin_user, reason="past retention")
    # The letter names her and cannot be edited: it goes with her personal data.
    assert not Referral.objects.exists()
