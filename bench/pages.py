"""Every staff page at scale: server time and SQL queries, at two sizes of clinic.

    .venv/bin/python bench/pages.py [--years 1,5] [--postgres postgres://user@host/db]

The pages come from the URL configuration, not from a list kept here: every pattern
outside the API, the patients' portal, the public booking pages and the bearer links is
requested as each staff role (reception, practitioner, clinic admin), and measured for
every role that may open it (200). A pattern that takes an object's id gets a sample
object from ``samples()``; a new page with an id nobody has given a sample for is printed as
not measured, by name, so the gap shows rather than hides. Each size of clinic is built
in a throwaway database of its own (see bench/README.md); the query counts of the two
sizes are printed side by side, since a page whose count grows with the clinic is a page
that will get slower every year.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
)

BENCH_DATABASE = "acuclinic_bench_pages"
ROLES = ("reception", "practitioner", "admin")
# Not staff pages: the JSON API, the patient's own pages, public booking and its links,
# bearer-token links (a questionnaire link, a calendar feed) and signing in and out.
NOT_STAFF = ("api/", "fhir/", "portal/", "book/", "safety/q/", "login/", "logout/", "static/")
# Bearer links too (a patient's payment link, the emailed password reset) and the
# clinic's logo, a public image.
NOT_STAFF_NAMES = {"calendar_feed_ics", "billing_pay", "password_reset_confirm", "clinic_logo"}
TARGET_P95_MS = 150


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Every staff page of acuclinic at scale.")
    parser.add_argument(
        "--years",
        default="1,5",
        help="years of history of each clinic measured, comma-separated (default 1,5)",
    )
    parser.add_argument("--practitioners", type=int, default=20)
    parser.add_argument(
        "--skip-sqlite",
        action="store_true",
        help="measure PostgreSQL alone (with --postgres), e.g. beside a SQLite run",
    )
    parser.add_argument(
        "--patients-a-year",
        type=int,
        default=650,
        help="patients per year of history (default 650: 3,250 and 67,186 appointments over "
        "five years, the issue's 'about 60,000'; 2500 gives 21,099 in one year and 230,787 "
        "in five)",
    )
    parser.add_argument("--requests", type=int, default=15, help="timed requests per page")
    parser.add_argument(
        "--only",
        default="",
        help="measure only the pages whose URL name matches this regular expression "
        "(e.g. '^(diary|diary_feed|appointment_new|free_slots)$' for the diary's)",
    )
    parser.add_argument(
        "--database",
        default=BENCH_DATABASE,
        help=f"the throwaway PostgreSQL database's name (default {BENCH_DATABASE}), so two "
        "runs on one server keep apart",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="keep each size's clinic (SQLite file in this folder, PostgreSQL database "
        "NAME_Ny on the server) and reuse it next time instead of building it again",
    )
    parser.add_argument(
        "--clinic",
        help="measure, as it is, a clinic another benchmark built (a database URL, e.g. "
        "a copy of bench/interop.py's five years made with sqlite3's .backup); give "
        "--today the day it was built for and --years its size",
    )
    parser.add_argument(
        "--both-times",
        action="store_true",
        help="print wall-clock time, then CPU time, from the same requests",
    )
    parser.add_argument(
        "--cpu-time",
        action="store_true",
        help="print the server process's CPU time instead of wall-clock time: steadier on "
        "a loaded machine, and all of a request's time on SQLite (PostgreSQL's own work "
        "is in another process, so not counted)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--years-now", type=int, help=argparse.SUPPRESS)  # the child's size
    add_database_options(parser, BENCH_DATABASE)
    return parser.parse_args(argv)


# --- the parent: a child per database and size, then the table --------------------------


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    sizes = [int(part) for part in args.years.split(",") if part.strip()]
    by_size: dict[int, dict[str, dict]] = {}
    failed = False
    for years in sizes:
        child_argv = [
            "--years-now", str(years), "--practitioners", str(args.practitioners),
            "--patients-a-year", str(args.patients_a_year), "--requests", str(args.requests),
            "--seed", str(args.seed), "--only", args.only,
        ]  # fmt: skip
        if args.today:
            child_argv += ["--today", args.today.isoformat()]
        if args.keep:
            # The child writes the kept clinic's spec beside it, and reads it next time.
            child_argv += ["--keep", str(args.keep)]
        if args.clinic:
            by_size[years] = {_engine(args.clinic): _measure_given(args.clinic, child_argv)}
            print_figures(by_size, args)
            continue
        results, failures = measure_each_database(
            __file__,
            child_argv,
            postgres=args.postgres,
            database_name=f"{args.database}_{years}y" if args.keep else args.database,
            keep=args.keep,
            sqlite=not args.skip_sqlite,
        )
        by_size[years] = results
        for name, reason in failures.items():
            print(f"\n{name} ({years} years) was not measured: {reason}")
            failed = True
        # Each size's figures as soon as they are known: the largest takes longest.
        print_figures(by_size, args)
        if args.both_times:
            print_figures(by_size, argparse.Namespace(**{**vars(args), "cpu_time": True}))
    if len(sizes) > 1:
        print("\nAll sizes:")
        print_figures(by_size, args)
    return 1 if failed else 0


def _engine(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


def _measure_given(url: str, child_argv: list[str]) -> dict:
    import tempfile

    from bench._common import run_child

    with tempfile.TemporaryDirectory(prefix="acuclinic-bench-") as var_dir:
        return run_child(__file__, url, var_dir, [*child_argv, "--clinic", url])


def print_figures(by_size: dict[int, dict[str, dict]], args: argparse.Namespace) -> None:
    sizes = sorted(by_size)
    largest = by_size[sizes[-1]]
    engines = list(largest)
    print()
    print(f"acuclinic: every staff page at scale ({args.requests} timed requests per page)")
    for years in sizes:
        for engine, result in by_size[years].items():
            print(
                f"  {years} years on {engine} {result['engine_version']}: "
                f"{result['practitioners']} practitioners, {result['patients']:,} patients, "
                f"{result['appointments']:,} appointments, {result['notes']:,} session notes "
                + (
                    f"(built in {result['build_seconds']:.0f} s)"
                    if result["build_seconds"] is not None
                    else f"(built earlier, for {result['built_on']})"
                )
            )
    timed = "cpu_ms" if args.cpu_time else "ms"
    print(
        f"Server {'CPU ' if args.cpu_time else ''}time median / p95 in ms at {sizes[-1]} "
        f"years (target p95 ≤ {TARGET_P95_MS}); load average "
        f"{' '.join(f'{a:.1f}' for a in os.getloadavg())}; "
        f"SQL queries per request at each size ({' → '.join(f'{y} y' for y in sizes)})."
    )
    print()
    pages = [key for key in largest[engines[0]]["pages"]]
    label_width = max((len(key) for key in pages), default=10) + 2
    header = "page (role)".ljust(label_width)
    for engine in engines:
        header += f"{engine + ' ms':>18}{'queries':>12}"
    print(header)
    over, grows = [], []
    for key in pages:
        line = key.ljust(label_width)
        for engine in engines:
            page = largest[engine]["pages"].get(key)
            if page is None:
                line += f"{'–':>18}{'–':>12}"
                continue
            middle, p95 = median_p95(page.get(timed, page["ms"]))
            counts = [by_size[y][engine]["pages"].get(key, {}).get("queries") for y in sizes]
            shown = " → ".join("–" if c is None else str(c) for c in counts)
            line += f"{middle:>9.1f} /{p95:>6.1f}{shown:>12}"
            if p95 > TARGET_P95_MS:
                over.append(f"{key} on {engine} ({p95:.0f} ms)")
            known = [c for c in counts if c is not None]
            if len(known) > 1 and known[-1] > known[0]:
                grows.append(f"{key} on {engine} ({shown})")
        print(line)
    print()
    first = largest[engines[0]]
    for reason, names in (
        (
            "Not measured, no sample object for its id (add one to samples(), or the "
            "clinic has none)",
            first["unmeasured"],
        ),
        ("Not pages (GET answers 405: forms post to them)", first["post_only"]),
        (
            "Not pages for any role (GET answers a redirect or a refusal)",
            [f"{name} ({status})" for name, status in first["other"].items()],
        ),
    ):
        if names:
            print(f"{reason}: {', '.join(sorted(names))}")
    print(f"Over the {TARGET_P95_MS} ms target: {', '.join(over) if over else 'none'}")
    print(f"Query count grows with the clinic: {', '.join(grows) if grows else 'none'}")


# --- the child: build one clinic, then request every page --------------------------------


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    import logging

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec
    from acuclinic.treatment.models import SessionNote

    call_command("migrate", interactive=False, verbosity=0)
    # Every role asks for every page: the refusals are expected, not worth a warning each.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    today = args.today or timezone.localdate()
    years = args.years_now
    spec = DemoSpec(
        today=today,
        seed=args.seed,
        locations=3,
        rooms=max(3, args.practitioners),
        practitioners=args.practitioners,
        patients=args.patients_a_year * years,
        days_a_week=5,
        months_back=12 * years,
        months_ahead=1,
    )
    built = given_clinic(today) if args.clinic else kept_clinic(spec)
    if built is None:
        print(f"Building {years} years of a clinic on {connection.vendor}…", file=sys.stderr)
        summary = build_demo(spec)
        built = {
            "practitioners": summary.practitioners,
            "patients": summary.patients,
            "appointments": summary.appointments,
            "build_seconds": summary.seconds,
            "built_on": today.isoformat(),
        }
        if args.keep:
            _kept_file().write_text(json.dumps({"spec": repr(spec), **built}))
    else:
        today = date.fromisoformat(built["built_on"])  # the day its diary is full
        built = {**built, "build_seconds": None}
        print(f"Using the clinic kept from {built['built_on']}…", file=sys.stderr)
    if connection.vendor == "postgresql":
        # A production server's autovacuum gathers the planner's statistics soon after
        # the clinic is loaded; a test server may run without it (this machine's does),
        # and without statistics PostgreSQL plans a year of invoices as one row: pages
        # two to four times slower than they would be in use. Vacuumed too, as
        # autovacuum would have, so that reading the rows need not check each one's
        # visibility (demo/builder.py's _refresh_statistics).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    pages, unmeasured, post_only, other = measure_pages(args.requests, today, args.only)
    return {
        "engine_version": engine_version(connection),
        **built,
        "notes": SessionNote.objects.count(),
        "pages": pages,
        "unmeasured": unmeasured,
        "post_only": post_only,
        "other": other,
    }


def _kept_file() -> Path:
    """Where a kept clinic's spec is written: beside it, named after its database."""

    from django.db import connection

    name = Path(str(connection.settings_dict["NAME"])).stem
    return Path(os.environ["ACUCLINIC_VAR_DIR"]) / f"{name}.built.json"


def given_clinic(today: date) -> dict:
    """The counts of a clinic built by someone else (``--clinic``), measured as it is."""
    from acuclinic.people.models import Patient, Practitioner
    from acuclinic.scheduling.models import Appointment

    return {
        "practitioners": Practitioner.objects.count(),
        "patients": Patient.objects.count(),
        "appointments": Appointment.objects.count(),
        "build_seconds": None,
        "built_on": today.isoformat(),
    }


def kept_clinic(spec) -> dict | None:
    """The counts of a clinic kept by an earlier ``--keep`` run with the same spec (its
    day included, so --today must be given to reuse one on a later day), or None when
    there is none and the clinic must be built."""
    from acuclinic.scheduling.models import Appointment

    path = _kept_file()
    if not path.exists() or not Appointment.objects.exists():
        return None
    kept = json.loads(path.read_text())
    if kept.pop("spec") != repr(spec):
        raise SystemExit(f"{path} holds a clinic of another spec: remove it and its database.")
    return kept


def staff_patterns() -> list[tuple[str, str]]:
    """(route, URL name) of every named pattern outside the API, portal and public pages."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # A namespaced include (the passkeys' otp_webauthn:…) is reversed by its
                # namespaced name.
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                yield prefix + str(pattern.pattern), namespace + pattern.name

    return [
        (route, name)
        for route, name in walk(get_resolver().url_patterns)
        if not route.startswith(NOT_STAFF) and name not in NOT_STAFF_NAMES
    ]


def _first(model_label: str, *, order: str = "pk", **filters):
    from django.apps import apps

    return apps.get_model(model_label).objects.filter(**filters).order_by(order).first()


def _busiest_patient():
    """The patient with the most visits: the record that costs most to show."""
    from django.db.models import Count

    from acuclinic.people.models import Patient

    return Patient.objects.annotate(visits=Count("appointments")).order_by("-visits").first()


def _fullest_note():
    """The signed note with the most points charted (the issue asks for 20)."""
    from django.db.models import Count

    from acuclinic.treatment.models import SessionNote

    return SessionNote.objects.annotate(n=Count("points")).order_by("-n", "pk").first()


def _patient_with_finding(findings_of):
    """A patient whose safety record has a standing finding of this kind, and the rule:
    the acknowledgement and specialist-agreement pages open only for one."""
    from django.utils import timezone

    from acuclinic.people.models import Patient
    from acuclinic.safety import queries

    flagged = Patient.objects.filter(safety_questionnaires__isnull=False).distinct()
    for patient in flagged.order_by("pk")[:400]:
        findings = findings_of(queries.safety_status(patient, today=timezone.localdate()))
        if findings:
            return {"pk": patient.pk, "rule_id": findings[0].rule_id}
    return {"pk": 0, "rule_id": "none"}  # no such patient: the page stays unmeasured


def _booked_appointment(today: date):
    """A booked visit (one that may still be moved or cancelled), the next after today."""
    from acuclinic.scheduling.choices import AppointmentStatus

    return _first(
        "scheduling.Appointment",
        order="start",
        status=AppointmentStatus.BOOKED,
        start__date__gt=today,
    )


def samples(today: date) -> dict[str, Callable[[], dict]]:
    """How to fill each page's id: the URL name's kwargs, from a representative row."""

    def pk(obj) -> dict:
        return {"pk": obj.pk if obj is not None else 0}  # 0: the clinic has none

    def patient():
        return pk(_busiest_patient())

    def appointment():
        # Today's last visit: one the diary shows, with a gate and a note to start.
        found = _first("scheduling.Appointment", order="-start", start__date=today)
        return pk(found or _first("scheduling.Appointment", order="-start"))

    def note():
        return pk(_fullest_note())

    def questionnaire():
        q = _first("safety.Questionnaire", order="-version")
        return {"pk": q.patient_id, "version": q.version}

    by_patient = ["patient_detail", "patient_edit", "clinical_summary_edit", "safety_patient"]
    by_patient += ["safety_questionnaire_new", "safety_consent_new", "outcomes_patient"]
    by_patient += ["outcomes_patient_summary", "waitlist_add"]
    by_appointment = ["appointment_detail", "appointment_move", "appointment_cancel"]
    by_appointment += ["appointment_status", "appointment_move_rest", "appointment_cancel_rest"]
    by_appointment += ["safety_gate", "treatment_note_start"]
    table: dict[str, Callable[[], dict]] = {name: patient for name in by_patient}
    table.update({name: appointment for name in by_appointment})
    table.update(
        {
            "treatment_note": note,
            "safety_questionnaire_detail": questionnaire,
            "series_detail": lambda: pk(_first("scheduling.Series")),
            "working_time_practitioner": lambda: pk(_first("people.Practitioner")),
            "enquiry_detail": lambda: pk(_first("enquiries.Enquiry", order="-pk")),
            "enquiry_book": lambda: pk(_first("enquiries.Enquiry", order="-pk")),
            "waitlist_detail": lambda: pk(_first("waitlist.WaitlistEntry", order="-pk")),
            "treatment_lot": lambda: pk(_first("treatment.NeedleLot")),
            "outcomes_course_review": lambda: pk(_first("outcomes.Course", order="-pk")),
            "outcomes_course_close": lambda: pk(_first("outcomes.Course", order="-pk")),
            # Pain is scored on the visit's own form; the other measures have this page.
            "outcomes_measure_new": lambda: {"pk": _busiest_patient().pk, "code": "psfs"},
            "working_pattern_add": lambda: pk(_first("people.Practitioner")),
            "working_pattern_end": lambda: pk(_first("scheduling.WorkingPattern")),
            "working_pattern_delete": lambda: pk(_first("scheduling.WorkingPattern")),
            "working_exception_delete": lambda: pk(_first("scheduling.WorkingException")),
            "room_closure_delete": lambda: pk(_first("scheduling.RoomClosure")),
            "treatment_lot_recall": lambda: pk(_first("treatment.NeedleLot")),
            "treatment_follow_up_close": lambda: pk(_first("treatment.FollowUp")),
            "treatment_prescription_delete": lambda: pk(_first("treatment.PointPrescription")),
            "safety_send_link": patient,
            "safety_no_changes": appointment,
        }
    )
    # The session note's parts post to the note and send a GET back to it.
    for name in ("details", "points", "prefill", "needles", "sign", "addendum"):
        table[f"treatment_note_{name}"] = note
    table["treatment_note_adverse_event"] = note
    for name in ("save", "autosave", "near"):
        table[f"treatment_note_{name}"] = note

    def note_part(model_label: str, kwarg: str):
        part = _first(model_label, order="-pk")
        return {"pk": part.note_id if part else 0, kwarg: part.pk if part else 0}

    def referral():
        letter = _first("safety.Referral", order="-pk")
        return {"pk": letter.patient_id, "referral": letter.pk} if letter else {"pk": 0}

    table.update(
        {
            "treatment_note_point_remove": lambda: note_part("treatment.NeedledPoint", "point_pk"),
            "treatment_note_needle_remove": lambda: note_part("treatment.NeedleUse", "use_pk"),
            "appointment_move_confirm": lambda: pk(_booked_appointment(today)),
            "appointment_cancel_confirm": lambda: pk(_booked_appointment(today)),
            "billing_patient": patient,
            "billing_invoice": lambda: pk(_first("billing.Invoice", order="-pk")),
            "billing_invoice_pdf": lambda: pk(_first("billing.Invoice", order="-pk")),
            "location_edit": lambda: pk(_first("clinic.Location")),
            "location_hours": lambda: pk(_first("clinic.Location")),
            "room_edit": lambda: pk(_first("clinic.Room")),
            "service_edit": lambda: pk(_first("clinic.Service")),
            "practitioner_detail": lambda: pk(_first("people.Practitioner")),
            "staff_edit": lambda: pk(_first("people.User", username="practitioner")),
            "import_job": lambda: pk(_first("interop.ImportJob", order="-pk")),
            "safety_referral_new": patient,
            "safety_referral": referral,
            "safety_referral_pdf": referral,
            "safety_acknowledge": lambda: _patient_with_finding(lambda s: s.unacknowledged),
            "safety_agreement_new": lambda: _patient_with_finding(lambda s: s.overridable),
        }
    )
    return table


def query_variants(name: str, today: date, kwargs: dict) -> list[tuple[str, dict]]:
    """Query strings a page is measured with: the diary and its JSON feed by each view and
    column, and the booking form for a patient (the way every route to it opens it), also
    with its list of free times for a service, site and day; a move's and a cancellation's
    confirmation with what the form before it asks; the points near a click on the chart."""
    from acuclinic.clinic.models import Location

    if name == "appointment_move_confirm" and kwargs.get("pk"):
        from acuclinic.scheduling.models import Appointment

        booked = Appointment.objects.select_related("room__location").get(pk=kwargs["pk"])
        local = booked.start.astimezone(booked.room.location.tz) + timedelta(hours=1)
        move = {
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "practitioner": booked.practitioner_id,
            "room": booked.room_id,
        }
        return [("", move)]
    if name == "appointment_cancel_confirm":
        return [("", {"reason": "Unwell", "by": "patient"})]
    if name == "treatment_note_near":
        return [("", {"x": 100, "y": 120})]
    if name not in ("appointment_new", "diary", "diary_feed"):
        return [("", {})]
    location = Location.objects.order_by("pk").first().pk
    day = today
    while day.weekday() >= 5:  # a working day
        day += timedelta(days=1)
    if name == "appointment_new":
        from acuclinic.clinic.models import Service

        patient = _busiest_patient().pk
        service = Service.objects.filter(is_active=True).order_by("pk").first().pk
        free_times = {
            "patient": patient,
            "location": location,
            "find-service": service,
            "find-location": location,
            "find-date": day.isoformat(),
        }
        return [(" for a patient", {"patient": patient}), (" free times", free_times)]
    common = {"location": location, "date": day.isoformat()}
    return [
        (" day by practitioner", {**common, "view": "day", "by": "practitioner"}),
        (" day by room", {**common, "view": "day", "by": "room"}),
        (" week", {**common, "view": "week"}),
    ]


class QueryCounter:
    """Counts the statements a request sends (Django's own query log is reset when each
    request starts, so it cannot be read from outside the request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def placeholder_kwargs(route: str) -> dict:
    """Kwargs for a route that point at nothing: enough to learn whether GET is allowed."""
    return {
        name: 0 if converter in ("int", "") else "x"
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)
    }


def measure_pages(requests: int, today: date, only: str = ""):
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from acuclinic.people.models import User

    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=role))
    table = samples(today)
    # As the production server does once a worker has loaded the app (gunicorn_conf's
    # post_worker_init): what is loaded by now lives as long as the process, so the
    # garbage collector's full collections leave it out.
    reverse("diary")  # the URL configuration, imported
    gc.collect()
    gc.freeze()
    pages: dict[str, dict] = {}
    unmeasured, post_only, other = [], [], {}
    for route, name in staff_patterns():
        if only and not re.search(only, name):
            continue
        needs_id = "<" in route
        if needs_id and name not in table:
            # A form's target answers GET with 405 whatever the id; anything else is a
            # page that needs a sample object.
            try:
                url = reverse(name, kwargs=placeholder_kwargs(route))
            except NoReverseMatch:
                url = None
            status = clients["admin"].get(url).status_code if url else None
            (post_only if status == 405 else unmeasured).append(name)
            continue
        kwargs = table[name]() if needs_id else {}
        if 0 in kwargs.values():  # the clinic has no such object (an import, say)
            unmeasured.append(name)
            continue
        url = reverse(name, kwargs=kwargs)
        statuses = set()
        for suffix, params in query_variants(name, today, kwargs):
            for role, client in clients.items():
                status = client.get(url, params).status_code
                statuses.add(status)
                if status != 200:
                    continue
                counter = QueryCounter()
                with connection.execute_wrapper(counter):
                    client.get(url, params)
                timings, cpu = [], []
                for _ in range(requests):
                    started, cpu_started = time.perf_counter(), time.process_time()
                    client.get(url, params)
                    timings.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - cpu_started) * 1000)
                pages[f"{name}{suffix} ({role})"] = {
                    "ms": timings,
                    "cpu_ms": cpu,
                    "queries": counter.count,
                }
        if 200 not in statuses:
            if statuses == {405}:
                post_only.append(name)
            else:
                other[name] = "/".join(str(s) for s in sorted(statuses))
    return pages, sorted(set(unmeasured)), sorted(set(post_only)), other


if __name__ == "__main__":
    sys.exit(main())
