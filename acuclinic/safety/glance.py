"""Who may see which of a patient's safety flags, for the banner and for pages that show
many patients at once (the diary's cards).

Clinicians (``people.view_clinical``) see each standing flag in words; reception sees
only whether there are flags and whether the questionnaire is current, never what they
are. A clinician's sight of the flags is a read of the patient's answers, so it is
audited.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.formats import format_date
from acuclinic.safety import presenting, queries
from acuclinic.safety.rules import Outcome


def sees_flags(user) -> bool:
    return user.has_perm("people.view_clinical")


def flag_lines(status: queries.SafetyStatus) -> list[dict]:
    """Each standing flag as the banner says it, and whether its risk discussion is due."""
    if status.assessment is None:
        return []
    return [
        {
            "finding": finding,
            "text": presenting.banner_line(finding, status.assessment),
            "needs_discussion": finding.outcome == Outcome.PRECAUTION
            and finding.rule_id not in status.acknowledgements,
        }
        for finding in status.assessment.findings
    ]


@dataclass(frozen=True)
class Glance:
    """What one person may see of one patient's safety: always the questionnaire's state
    and whether there are flags; the flags themselves only for a clinician."""

    status: queries.SafetyStatus
    clinical: bool
    flags: list[dict] = field(default_factory=list)
    # False where the page says only whether there are flags (see ``glances``).
    in_words: bool = True

    @property
    def outcome(self) -> str:
        return self.status.assessment.outcome.key if self.status.assessment else "none"

    def html(self) -> SafeString:
        """The small box a diary card shows ({% safety_glance %}): written here rather
        than by a template, as a week's diary has one for each of hundreds of patients."""
        status = self.status
        incomplete = " state-incomplete" if status.unanswered else ""
        if status.state == queries.MISSING:
            said = "Health questionnaire not yet completed"
        elif status.state == queries.OUT_OF_DATE:
            said = f"Health questionnaire due since {_day(status.due_on)}"
        elif status.unanswered:
            said = "Health questionnaire to be filled in again"
        else:
            said = f"Health questionnaire current until {_day(status.due_on)}"
        if self.clinical and self.in_words:
            if self.flags:
                items = "".join(_flag_html(flag) for flag in self.flags)
                flags = f'\n    <ul class="flags">\n      {items}\n    </ul>\n    '
            else:
                flags = "<p>No safety flags.</p>" if status.questionnaire else ""
            flags = f"\n    {flags}\n  "
        elif status.has_flags and self.clinical:
            flags = "<p><strong>Has safety flags:</strong> the visit lists them.</p>\n  "
        elif status.has_flags:
            flags = (
                "<p><strong>Has safety flags.</strong> A clinician will go through them"
                " before treatment.</p>\n  "
            )
        else:
            flags = "<p>No safety flags.</p>" if status.questionnaire else ""
        return mark_safe(
            f'<div class="safety-glance outcome-{escape(self.outcome)}'
            f' state-{escape(status.state)}{incomplete}">\n'
            f'  <p class="state">{said}</p>\n  {flags}\n</div>'
        )


def _day(day: date | None) -> str:
    return format_date(day) if day else ""


def _flag_html(flag: dict) -> str:
    key = flag["finding"].outcome.key
    kind = "Restriction" if key == "none" else capfirst(key)
    todo = (
        ' <span class="todo">— risk discussion not yet recorded</span>'
        if flag["needs_discussion"]
        else ""
    )
    return format_html(
        '<li class="flag flag-{}"><span class="visually-hidden">{}: </span>{}{}</li>',
        key,
        kind,
        flag["text"],
        mark_safe(todo),
    )


def glances(user, patients, *, today: date, where: str, in_words: bool = True) -> dict[int, Glance]:
    """A glance at each patient's safety for ``user``, by patient id, in a fixed number of
    queries; {} for someone who may not see patients at all. ``where`` names the page in
    the audit trail (one entry per questionnaire a clinician's page shows, in one insert).

    ``in_words`` False: a page that shows anyone only whether there are flags (the
    diary's week, whose cards are too small for them, and the calendar's feed, which
    carries a yes or no). A clinician is then told no more than reception, so nothing
    was read that the audit trail should record, and no flag is put into words."""
    if not user.has_perm("people.view_patient"):
        return {}
    statuses = queries.safety_statuses(patients, today=today)
    clinical = sees_flags(user)
    if not in_words:
        return {
            pk: Glance(status=status, clinical=clinical, in_words=False)
            for pk, status in statuses.items()
        }
    if clinical:
        audit.record_many(
            AuditAction.VIEW,
            [s.questionnaire for s in statuses.values() if s.questionnaire is not None],
            detail=f"safety flags in the {where}",
            user=user,
        )
    return {
        pk: Glance(status=status, clinical=clinical, flags=flag_lines(status) if clinical else [])
        for pk, status in statuses.items()
    }
