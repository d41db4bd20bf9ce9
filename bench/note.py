"""Session note benchmark: the note page of a draft with 20 points charted.

    .venv/bin/python bench/note.py [--renders 20] [--postgres postgres://user@host/db]

Builds a small clinic (one practitioner, one patient, a visit that took place and passed
the safety gate, a needle lot) into a throwaway database — a temporary SQLite file, and
on PostgreSQL a database named ``acuclinic_bench_note`` created and dropped around the
run — charts 20 points on its session note, then measures, as the practitioner gets
them through Django's test client: the note page (server time and SQL queries), one
press of the note form's Save (text and a point in one post), and an autosave. Each
database is measured in a child process of its own. Figures are printed, never asserted
(see bench/README.md).
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
    print_table,
)

BENCH_DATABASE = "acuclinic_bench_note"
POINTS = 20


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the session note page, 20 points.")
    parser.add_argument("--renders", type=int, default=20, help="times to render each (20)")
    add_database_options(parser, BENCH_DATABASE)
    args = parser.parse_args(argv)
    if args.renders < 1:
        parser.error("--renders must be 1 or more")
    return args


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    results, failures = measure_each_database(
        __file__,
        ["--renders", str(args.renders)],
        postgres=args.postgres,
        database_name=BENCH_DATABASE,
    )
    first = next(iter(results.values()))
    versions = ", ".join(f"{name} {r['engine_version']}" for name, r in results.items())
    print()
    print(f"acuclinic session note benchmark: a draft note with {first['points']} points")
    print(f"Python {sys.version.split()[0]}, Django {first['django']}, {versions}")
    print(f"Times are median / 95th percentile over {args.renders} requests.")
    print()
    rows = [
        ("note page, whole request", lambda r: _ms(r["page"])),
        ("note page, SQL queries", lambda r: f"{r['page_queries']}"),
        ("Save (text + 1 point), whole request", lambda r: _ms(r["save"])),
        ("Save, SQL queries", lambda r: f"{r['save_queries']}"),
        ("autosave, whole request", lambda r: _ms(r["autosave"])),
        ("autosave, SQL queries", lambda r: f"{r['autosave_queries']}"),
    ]
    print_table(rows, results)
    for name, reason in failures.items():
        print(f"\n{name} was not measured: {reason}")
    return 1 if failures else 0


def _ms(values: list[float]) -> str:
    middle, p95 = median_p95(values)
    return f"{middle * 1000:,.0f} / {p95 * 1000:,.0f} ms"


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from acuclinic.testing import factories
    from acuclinic.testing import treatment as testing
    from acuclinic.treatment import catalogue, services
    from acuclinic.treatment.models import NeedledPoint, SessionNote

    call_command("migrate", interactive=False, verbosity=0)
    clinic = factories.build_clinic()
    practitioner = factories.practitioner("bench", qualified_medical=True)
    patient = factories.patient()
    visit = testing.ready_visit(patient, practitioner)
    testing.needle_lot(clinic)
    note = testing.session_note(visit)
    user = practitioner.user
    codes = [e.code for e in catalogue.current().search("BL", limit=60) if e.code[:2] == "BL"]
    specs = services.specs_from_codes(
        codes[10 : 10 + POINTS],
        side="bilateral",
        depth_mm=20,
        retention_minutes=20,
        stimulation="manual",
    )
    services.needled_points_add(note, specs, user=user)
    client = Client()
    client.force_login(user)
    url = reverse("treatment_note", args=[note.pk])
    save_url = reverse("treatment_note_save", args=[note.pk])
    autosave_url = reverse("treatment_note_autosave", args=[note.pk])
    text = {"pain_before": "6", "findings": "Tender L4–5.", "plan": "Weekly."}

    def timed(fn) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = fn()
            seconds = time.perf_counter() - started
        assert response.status_code in (200, 302), response.status_code
        return seconds, len(queries)

    def revision() -> str:
        return str(SessionNote.objects.get(pk=note.pk).revision or 0)

    client.get(url)  # the session and caches, as on any later page
    pages = [timed(lambda: client.get(url)) for _ in range(args.renders)]
    autosaves = [
        timed(
            lambda n=n: client.post(
                autosave_url, {**text, "revision": revision(), "plan": f"Plan {n}"}
            )
        )
        for n in range(args.renders)
    ]
    saves = []
    for n in range(args.renders):
        data = {**text, "revision": revision(), "plan": f"Saved {n}", "action": "chart"}
        data |= {"codes": "GV3", "side": "bilateral", "depth_mm": "20"}
        data |= {"retention_minutes": "20", "stimulation": "manual"}
        saves.append(timed(lambda data=data: client.post(save_url, data)))
        NeedledPoint.objects.filter(note=note, code="GV3").delete()
    return {
        "django": django.get_version(),
        "engine_version": engine_version(connection),
        "points": NeedledPoint.objects.filter(note=note).count(),
        "page": [s for s, _ in pages],
        "page_queries": pages[-1][1],
        "save": [s for s, _ in saves],
        "save_queries": saves[-1][1],
        "autosave": [s for s, _ in autosaves],
        "autosave_queries": autosaves[-1][1],
    }


if __name__ == "__main__":
    raise SystemExit(main())
