"""`acuclinic demo`: build the synthetic demo clinic (see acuclinic/demo/)."""

import argparse
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_date
from acuclinic.demo.builder import build_demo
from acuclinic.demo.progress import demo_progress, unapplied_migrations
from acuclinic.demo.spec import MAX_SCALE, DemoSpec
from acuclinic.demo.staff import DEMO_LOGINS, DEMO_PASSWORD


def whole_number(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"“{text}” is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {value}")
        return value

    return parse


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a date like 2026-03-03") from None


class Command(BaseCommand):
    help = (
        "Build the synthetic demo clinic: 2 locations, 5 rooms, 6 practitioners, 300 patients "
        "and their appointments, 6 months back and 1 month ahead. The same options always "
        "build the same data. Refuses a database that already holds clinic data unless "
        "--reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=whole_number(1),
            default=1,
            help=f"multiply locations, rooms, practitioners and patients (1–{MAX_SCALE})",
        )
        parser.add_argument(
            "--today",
            type=iso_date,
            help="the day the demo treats as today, YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--months-back", type=whole_number(0), default=6)
        parser.add_argument("--months-ahead", type=whole_number(0), default=1)
        parser.add_argument("--seed", type=int, default=DemoSpec.seed)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the clinic data and staff accounts already in the database first "
            "(the audit trail is kept, and so are the accounts it names, switched off)",
        )

    def handle(self, *args, scale, today, months_back, months_ahead, seed, reset, **options):
        # Built for today, the visits already over today have happened; a demo for
        # another day starts that day's diary from its beginning.
        now = timezone.localtime()
        clock = None if today else now.time().replace(second=0, microsecond=0)
        try:
            spec = DemoSpec.at_scale(
                scale,
                today=today or now.date(),
                seed=seed,
                months_back=months_back,
                months_ahead=months_ahead,
                clock=clock,
            )
        except ValueError as exc:
            raise CommandError(f"Cannot build that demo: {exc}.") from exc
        if unapplied_migrations():
            raise CommandError(
                "The database is not up to date: run `acuclinic migrate` (or `acuclinic setup`, "
                "which also loads the demo into an empty database) first."
            )
        try:
            summary = build_demo(spec, reset_first=reset, progress=demo_progress(self.stdout))
        except ServiceError as exc:
            raise CommandError(
                f"{exc.message} To delete that data and build the demo instead, "
                "run `acuclinic demo --reset`."
            ) from exc

        self.stdout.write(
            f"Built the demo clinic “{summary.clinic}” in {summary.seconds:.1f} s "
            f"({spec.describe()}): {summary.locations} locations, {summary.rooms} rooms, "
            f"{summary.practitioners} practitioners, {summary.patients:,} patients and "
            f"{summary.appointments:,} appointments from {format_date(spec.history_start)} "
            f"to {format_date(spec.horizon - timedelta(days=1))}."
        )
        if summary.unplaced:
            self.stdout.write(
                f"{summary.unplaced:,} planned sessions found no free practitioner and "
                "were left out."
            )
        names = ", ".join(username for username, _ in DEMO_LOGINS)
        self.stdout.write(f"Sign in as {names}; the password is {DEMO_PASSWORD}.")
