"""The clinic's outcomes report: for the courses started in a period, how many reached the
MCID for pain and by which session, the mean change, relapses, non-responders and
sessions per course — overall and by condition, practitioner and modality.

Aggregated in the database, over the course summaries the planner keeps
(services.refresh_courses): one grouped query per breakdown, whatever the number of
courses.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Clinic
from acuclinic.core import spreadsheet
from acuclinic.core.formats import format_date
from acuclinic.outcomes import charts
from acuclinic.outcomes.models import Course
from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import Practitioner

BREAKDOWNS = (
    ("condition", "Condition"),
    ("practitioner", "Practitioner"),
    ("modality", "Modality"),
)
# "By which session": the histogram's last bar collects this session and later.
LAST_SESSION_BAR = 12


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    courses: int
    reached: int
    mean_session: float | None
    mean_change: float | None
    relapsed: int
    relapses: int
    non_responders: int
    mean_sessions: float | None
    mean_contact: float | None

    @property
    def reached_share(self) -> float | None:
        return self.reached / self.courses * 100 if self.courses else None

    @property
    def non_responder_share(self) -> float | None:
        return self.non_responders / self.courses * 100 if self.courses else None


@dataclass(frozen=True)
class Report:
    start: date
    end: date
    overall: Row
    groups: dict[str, list[Row]]
    by_session: list[tuple[str, int]]

    @property
    def period(self) -> str:
        return f"{format_date(self.start)} to {format_date(self.end)}"


def _aggregates():
    # Pain change over courses with a second session: one session has no change to show.
    change = Cast(F("baseline_pain"), FloatField()) - Cast(F("latest_pain"), FloatField())
    return {
        "courses": Count("id"),
        "reached": Count("id", filter=Q(first_mcid_session__isnull=False)),
        "mean_session": Avg(Cast("first_mcid_session", FloatField())),
        "mean_change": Avg(change, filter=Q(sessions__gte=2)),
        "relapsed": Count("id", filter=Q(relapses__gt=0)),
        "relapses": Sum("relapses"),
        "non_responders": Count("id", filter=Q(non_responder=True)),
        "mean_sessions": Avg(Cast("sessions", FloatField())),
        "mean_contact": Avg(Cast("contact_minutes", FloatField())),
    }


def _row(key: str, label: str, values: dict) -> Row:
    return Row(
        key=key,
        label=label,
        courses=values["courses"] or 0,
        reached=values["reached"] or 0,
        mean_session=values["mean_session"],
        mean_change=values["mean_change"],
        relapsed=values["relapsed"] or 0,
        relapses=values["relapses"] or 0,
        non_responders=values["non_responders"] or 0,
        mean_sessions=values["mean_sessions"],
        mean_contact=values["mean_contact"],
    )


def courses_started(clinic: Clinic, start: date, end: date):
    # Only courses with a signed session have a baseline to measure from.
    return Course.objects.filter(
        clinic=clinic, started_on__gte=start, started_on__lte=end, sessions__gte=1
    )


def outcomes_report(clinic: Clinic, *, start: date, end: date) -> Report:
    courses = courses_started(clinic, start, end)
    overall = _row("all", "All courses", courses.aggregate(**_aggregates()))
    groups: dict[str, list[Row]] = {}
    labels = {
        "condition": dict(ConditionChoice.choices) | {"": "Not recorded"},
        "modality": dict(Modality.choices),
    }
    rows = courses.values("practitioner_id").annotate(**_aggregates()).order_by()
    names = {
        p.pk: p.name
        for p in Practitioner.objects.filter(
            pk__in=[r["practitioner_id"] for r in rows]
        ).select_related("user")
    }
    groups["practitioner"] = sorted(
        (_row(str(r["practitioner_id"]), names[r["practitioner_id"]], r) for r in rows),
        key=lambda row: row.label,
    )
    for name in ("condition", "modality"):
        rows = courses.values(name).annotate(**_aggregates()).order_by(name)
        groups[name] = sorted(
            (_row(r[name], labels[name].get(r[name], r[name]), r) for r in rows),
            key=lambda row: (-row.courses, row.label),
        )
    counted = dict(
        courses.filter(first_mcid_session__isnull=False)
        .values_list("first_mcid_session")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_session = [(str(n), counted.get(n, 0)) for n in range(2, LAST_SESSION_BAR)]
    later = sum(n for session, n in counted.items() if session >= LAST_SESSION_BAR)
    by_session.append((f"{LAST_SESSION_BAR}+", later))
    return Report(start, end, overall, groups, by_session)


# ── Presenting it ────────────────────────────────────────────────────────────────────


def share_text(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{part / whole * 100:.0f}% ({part} of {whole})"


def report_charts(report: Report) -> list[str]:
    """The report's charts as SVG: who reached the MCID, by condition, practitioner and
    modality, and by which session."""
    found = []
    for key, label in BREAKDOWNS:
        bars = [
            charts.Bar(row.label, row.reached_share or 0, share_text(row.reached, row.courses))
            for row in report.groups[key]
        ]
        found.append(
            charts.bar_svg(
                f"reached-by-{key}",
                f"Courses reaching the MCID for pain, by {label.lower()}",
                bars,
                maximum=100,
            )
        )
    total = sum(n for _, n in report.by_session)
    bars = [
        charts.Bar(f"Session {session}", n, share_text(n, total) if total else "0")
        for session, n in report.by_session
    ]
    found.append(
        charts.bar_svg("by-session", "The session at which pain first reached the MCID", bars)
    )
    return found


CSV_COLUMNS = (
    "breakdown",
    "group",
    "courses",
    "reached_mcid",
    "reached_mcid_percent",
    "mean_session_reaching_mcid",
    "mean_change_in_pain",
    "courses_with_relapse",
    "relapses",
    "non_responders",
    "mean_sessions",
    "mean_contact_minutes",
)


def _csv_row(breakdown: str, row: Row) -> list:
    def num(value):
        return "" if value is None else f"{value:.2f}"

    return [
        breakdown,
        row.label,
        row.courses,
        row.reached,
        num(row.reached_share),
        num(row.mean_session),
        num(row.mean_change),
        row.relapsed,
        row.relapses,
        row.non_responders,
        num(row.mean_sessions),
        num(row.mean_contact),
    ]


def report_csv(report: Report) -> str:
    rows = [CSV_COLUMNS, _csv_row("all", report.overall)]
    rows += [_csv_row(key, row) for key, _ in BREAKDOWNS for row in report.groups[key]]
    # Labels (a practitioner's or a service's name) are the clinic's own text.
    return spreadsheet.csv_text(rows)
