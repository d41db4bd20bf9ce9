"""Moving in: patients from another system's CSV export, dry run first, then all or nothing.

Each row is matched to a patient already here — by NHS number, or by name and date of
birth — or would be created, or has errors. A real run writes nothing unless every row is
sound, writes everything in one transaction, and creates nobody twice: a second run of the
same file matches every row.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.interop.importing import csvrows
from acuclinic.people import nhs_number
from acuclinic.people.models import Patient
from acuclinic.people.phone import national_digits

BATCH = 1000
Progress = Callable[[str, int, int], None]


@dataclass
class RowOutcome:
    line: int
    action: str  # "create", "match" or "error"
    name: str
    detail: str = ""
    patient_id: int | None = None


@dataclass
class Plan:
    system: str
    outcomes: list[RowOutcome] = field(default_factory=list)
    written: bool = False

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def errors(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.action == "error"]

    def summary(self) -> str:
        verb = "Created" if self.written else "Would create"
        skipped = f", skipped {self.count('skip')} in the past" if self.count("skip") else ""
        return (
            f"{len(self.outcomes)} rows: {verb} "
            f"{self.count('create')}, matched {self.count('match')} existing{skipped}, "
            f"{self.count('error')} with errors."
        )


class ImportRefused(Exception):
    """A real run with rows in error: nothing was written."""

    def __init__(self, plan: Plan):
        super().__init__(
            f"Nothing was imported: {len(plan.errors)} rows have errors. Correct them (a dry "
            "run lists each) and run the import again."
        )
        self.plan = plan


def _key(given: str, family: str, born) -> tuple:
    return (given.strip().lower(), family.strip().lower(), born)


def _existing() -> tuple[dict, dict]:
    by_nhs, by_name = {}, {}
    rows = Patient.objects.values_list(
        "pk", "nhs_number", "given_name", "family_name", "date_of_birth"
    )
    for pk, nhs, given, family, born in rows.iterator(chunk_size=5000):
        if nhs:
            by_nhs[nhs] = pk
        by_name.setdefault(_key(given, family, born), pk)
    return by_nhs, by_name


def _validate(values: dict) -> tuple[Patient | None, list[str]]:
    patient = Patient(**values)
    patient.nhs_number = nhs_number.normalise(patient.nhs_number)
    if patient.nhs_number and not nhs_number.is_valid(patient.nhs_number):
        return None, [f"NHS number “{values['nhs_number']}” fails its check digit."]
    try:
        patient.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return None, [f"{f}: {'; '.join(m)}" for f, m in exc.message_dict.items()]
    patient.phone_digits = national_digits(patient.phone)
    return patient, []


def plan(rows: list[csvrows.Row], system: str, progress: Progress | None = None):
    """What each row would do, and the new patients to create."""
    by_nhs, by_name = _existing()
    seen_nhs: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    result = Plan(system)
    new: list[Patient] = []
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if progress and (done % 1000 == 0 or done == total):
            progress("checked", done, total)
        v = row.values
        name = f"{v.get('given_name', '')} {v.get('family_name', '')}".strip()
        if row.errors:
            result.outcomes.append(RowOutcome(row.line, "error", name, " ".join(row.errors)))
            continue
        patient, errors = _validate(v)
        if errors:
            result.outcomes.append(RowOutcome(row.line, "error", name, " ".join(errors)))
            continue
        key = _key(patient.given_name, patient.family_name, patient.date_of_birth)
        nhs = patient.nhs_number
        if nhs and nhs in by_nhs:
            result.outcomes.append(
                RowOutcome(row.line, "match", name, "same NHS number", by_nhs[nhs])
            )
            continue
        if key in by_name and not nhs:
            result.outcomes.append(
                RowOutcome(row.line, "match", name, "same name and date of birth", by_name[key])
            )
            continue
        if nhs and nhs in seen_nhs:
            earlier = seen_nhs[nhs]
            if seen_name.get(key) == earlier:
                result.outcomes.append(
                    RowOutcome(row.line, "match", name, f"the same person as line {earlier}")
                )
            else:
                result.outcomes.append(
                    RowOutcome(
                        row.line,
                        "error",
                        name,
                        f"NHS number also on line {earlier}, for a different person.",
                    )
                )
            continue
        if key in seen_name and not nhs:
            result.outcomes.append(
                RowOutcome(row.line, "match", name, f"the same person as line {seen_name[key]}")
            )
            continue
        if key in by_name:
            # Same name and birth date but a new NHS number: likely the same person with
            # the number now known; a person decides.
            result.outcomes.append(
                RowOutcome(
                    row.line,
                    "error",
                    name,
                    "A patient with this name and date of birth is already here without "
                    "this NHS number: check whether it is the same person.",
                )
            )
            continue
        if nhs:
            seen_nhs[nhs] = row.line
        seen_name.setdefault(key, row.line)
        result.outcomes.append(RowOutcome(row.line, "create", name))
        new.append(patient)
    return result, new


def import_patients(
    data: bytes,
    system: str,
    *,
    dry_run: bool,
    progress: Progress | None = None,
) -> Plan:
    """Read, check and (unless ``dry_run``) import a patients file; see the module doc.

    Raises ``csvrows.ImportFileError`` for a file that cannot be read at all and
    ``ImportRefused`` for a real run with any row in error.
    """
    rows = csvrows.read_rows(data, system, "patients")
    with transaction.atomic():
        result, new = plan(rows, system, progress)
        if dry_run:
            return result
        if result.errors:
            raise ImportRefused(result)
        created = []
        for start in range(0, len(new), BATCH):
            batch = Patient.objects.bulk_create(new[start : start + BATCH])
            audit.record_many(AuditAction.CREATE, batch, detail=f"imported from {system}")
            created += batch
            if progress:
                progress("written", len(created), len(new))
        creates = iter(created)
        for outcome in result.outcomes:
            if outcome.action == "create":
                outcome.patient_id = next(creates).pk
        result.written = True
    return result
