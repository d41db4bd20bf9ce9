"""Writes to a location's licensing: which council licenses acupuncture there and how,
and the premises' registrations or licences with that council. Atomic and audited.

What each regime asks of whom is in people/data/licensing.toml (with the provisions);
the booking check and the needling gate read it through people.credentials.
"""

from datetime import date

from django.db import IntegrityError, transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.choices import LicensingRegime
from acuclinic.clinic.models import Location, PremisesRegistration
from acuclinic.core.errors import Conflict, InvalidRequest

LICENSING_FIELDS = ["licensing_regime", "licensing_authority"]
MAX_COUNCIL = Location._meta.get_field("licensing_authority").max_length


def _tidy(name: str) -> str:
    return " ".join(name.split())


def _same_council(a: str, b: str) -> bool:
    return _tidy(a).casefold() == _tidy(b).casefold()


def location_licensing_update(
    location: Location, *, regime: str, authority: str = "", user=None
) -> Location:
    """Set how ``location``'s council licenses acupuncture. A regime needs the council's
    name; "none" names no council. Refused with ``InvalidRequest`` (nothing written) when
    either is wrong; audited when anything changes."""
    authority = _tidy(authority)
    if regime not in LicensingRegime.values:
        raise InvalidRequest(
            "invalid_licensing_regime",
            f"Choose one of: {', '.join(LicensingRegime.values)}.",
            field="licensing_regime",
        )
    if regime == LicensingRegime.NONE and authority:
        raise InvalidRequest(
            "council_without_licensing",
            "A location whose council does not license acupuncture names no council: "
            "leave the council blank, or choose the council's licensing regime.",
            field="licensing_authority",
        )
    if len(authority) > MAX_COUNCIL:
        raise InvalidRequest(
            "invalid_licensing_authority",
            f"A council's name has at most {MAX_COUNCIL} characters.",
            field="licensing_authority",
        )
    if regime != LicensingRegime.NONE and not authority:
        raise InvalidRequest(
            "council_missing",
            f"Name the council that runs the licensing at {location.name} "
            "(e.g. “Leeds City Council”, “London Borough of Camden”).",
            field="licensing_authority",
        )
    with transaction.atomic():
        row = Location.objects.select_for_update().get(pk=location.pk)
        before = audit.snapshot(row, LICENSING_FIELDS)
        row.licensing_regime, row.licensing_authority = regime, authority
        changed = audit.changed_field_names(before, row, LICENSING_FIELDS)
        if changed:
            row.save(update_fields=changed)
            audit.record(AuditAction.CHANGE, row, changed_fields=changed, user=user)
    return row


def premises_registration_add(
    location: Location,
    *,
    number: str,
    valid_from: date,
    valid_until: date | None = None,
    authority: str = "",
    user=None,
) -> PremisesRegistration:
    """Record the premises' registration or licence with the location's council.

    It must be with the council the location names (blank ``authority`` means that one):
    a registration with another council would never count there, so it is refused.
    """
    authority = _tidy(authority) or location.licensing_authority
    number = number.strip()
    if location.licensing_regime == LicensingRegime.NONE:
        raise InvalidRequest(
            "licensing_not_set",
            f"{location.name} has no council licensing of acupuncture set: choose the "
            "location's licensing regime and council first.",
            field="location",
        )
    if not _same_council(authority, location.licensing_authority):
        raise InvalidRequest(
            "wrong_council",
            f"{location.name} is licensed by {location.licensing_authority}; a registration "
            f"with {authority} would not count there.",
            field="authority",
        )
    if not number:
        raise InvalidRequest(
            "invalid_number", "Give the registration or licence number.", field="number"
        )
    if valid_until is not None and valid_until < valid_from:
        raise InvalidRequest(
            "invalid_valid_until", "The end must be on or after the start.", field="valid_until"
        )
    if valid_until is None and location.licensing_regime == LicensingRegime.LLAA_1991:
        raise InvalidRequest(
            "invalid_valid_until",
            "A special treatment licence runs for a set time: give the date it ends.",
            field="valid_until",
        )
    registration = PremisesRegistration(
        location=location,
        authority=location.licensing_authority,
        number=number,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    try:
        with transaction.atomic():
            registration.save()
            audit.record(
                AuditAction.CREATE,
                registration,
                changed_fields=["authority", "number", "valid_from", "valid_until"],
                user=user,
            )
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_registration",
            f"{location.name} already has {authority} {number} from that date on file.",
            field="number",
        ) from exc
    return registration


def premises_registration_remove(registration: PremisesRegistration, *, user=None) -> None:
    """Take a registration recorded by mistake off file (audited, with what it was)."""
    with transaction.atomic():
        audit.record(
            AuditAction.DELETE,
            registration,
            detail=f"{registration.authority} {registration.number}",
            user=user,
        )
        registration.delete()
