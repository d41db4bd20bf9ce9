"""The production web server's memory and latency: today's recipe beside the new one.

    .venv/bin/python bench/memory.py [--clients 16] [--seconds 20] [--postgres URL]

Each recipe runs gunicorn on the demo clinic (scale 1) in a throwaway database, with the
recipe's environment (today's sets MALLOC_ARENA_MAX=2, as the README's command does), and is
measured the way the peer comparison measured Easy!Appointments: the sum of the
proportional set size (PSS, from /proc/<pid>/smaps_rollup) of every process of the web
server (the master and its workers), at rest after start-up and again after 16 clients
have used it. PSS divides a page shared by N processes among them, so memory the
workers share by forking from a preloaded master counts once, not N times.

While the clients run, their requests are timed: a mix of what the front desk and the
API do all day (the diary, a patient's record, a patient search, the API's list of
appointments), median and 95th percentile. The recipes take turns, twice each, so a
machine that slows down part-way hurts both alike. See bench/README.md.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from urllib.parse import quote  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
    print_table,
)

BENCH_DATABASE = "acuclinic_bench_memory"
# What the README's production recipe ran before issue 19, and what it runs now: gunicorn's
# options and the server's environment (glibc reads MALLOC_ARENA_MAX when the process
# starts, so the recipe sets it in the environment, as the README's command does).
RECIPES = {
    "before: 4 sync workers": (["--workers", "4"], {}),
    "now: acuclinic/gunicorn_conf.py": (
        ["--config", "python:acuclinic.gunicorn_conf"],
        {"MALLOC_ARENA_MAX": "2"},
    ),
}
NOW = "now: acuclinic/gunicorn_conf.py"
# `--try ENV=VALUE,...` measures the new recipe again with other settings beside it, over
# the recipe's own (MALLOC_ARENA_MAX=0 is glibc's default: an arena per thread, up to 8
# per CPU).
TARGET_PSS_MB = 140


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Web server memory and latency.")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20, help="per recipe and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--try",
        dest="variants",
        action="append",
        default=[],
        metavar="WEB_WORKERS=1,WEB_THREADS=16",
        help="also measure the new recipe with these environment settings over its own "
        "(repeatable; WEB_THREADS=8,MALLOC_ARENA_MAX=0 is the recipe before 7 Dec 2026)",
    )
    add_database_options(parser, BENCH_DATABASE)
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    child_argv = ["--clients", str(args.clients), "--seconds", str(args.seconds)]
    child_argv += ["--rounds", str(args.rounds)]
    for variant in args.variants:
        child_argv += ["--try", variant]
    results, failures = measure_each_database(
        __file__, child_argv, postgres=args.postgres, database_name=BENCH_DATABASE
    )
    print_figures(results, args)
    for name, reason in failures.items():
        print(f"\n{name} was not measured: {reason}")
    return 1 if failures else 0


def print_figures(results: dict[str, dict], args: argparse.Namespace) -> None:
    first = next(iter(results.values()))
    print()
    print(
        f"acuclinic web server: {args.clients} clients, {args.rounds} rounds of "
        f"{args.seconds:.0f} s per recipe; PSS summed over every gunicorn process"
    )
    versions = ", ".join(f"{name} {r['engine_version']}" for name, r in results.items())
    print(f"Python {sys.version.split()[0]}, {versions}; target ≤ {TARGET_PSS_MB} MB PSS")
    print()
    rows = []
    for recipe in first["recipes"]:

        def get(r, key, recipe=recipe):
            return r["recipes"][recipe][key]

        rows += [
            (f"{recipe}: processes", lambda r, g=get: str(g(r, "processes"))),
            (f"{recipe}: PSS at rest", lambda r, g=get: f"{g(r, 'pss_rest'):.0f} MB"),
            (f"{recipe}: PSS after load", lambda r, g=get: f"{g(r, 'pss_loaded'):.0f} MB"),
            (f"{recipe}: RSS after load", lambda r, g=get: f"{g(r, 'rss_loaded'):.0f} MB"),
            (
                f"{recipe}: latency median / p95",
                lambda r, g=get: "{:.1f} / {:.1f} ms".format(*median_p95(g(r, "latencies"))),
            ),
            (f"{recipe}: requests served", lambda r, g=get: f"{len(g(r, 'latencies')):,}"),
            (f"{recipe}: errors", lambda r, g=get: str(g(r, "errors"))),
        ]
    names = list(first["recipes"])
    if len(names) >= 2:
        before, now = names[:2]
        rows.append(
            (
                "PSS after load, now / before",
                lambda r: "{:.2f}".format(
                    r["recipes"][now]["pss_loaded"] / r["recipes"][before]["pss_loaded"]
                ),
            )
        )
        rows.append(
            (
                "latency p95, now / before",
                lambda r: "{:.2f}".format(
                    median_p95(r["recipes"][now]["latencies"])[1]
                    / median_p95(r["recipes"][before]["latencies"])[1]
                ),
            )
        )
    print_table(rows, results)


# --- the child ----------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec

    call_command("migrate", interactive=False, verbosity=0)
    now = timezone.localtime()
    build_demo(DemoSpec.at_scale(1, today=now.date(), clock=now.time().replace(microsecond=0)))
    plan = request_plan()
    version = engine_version(connection)
    connections.close_all()  # gunicorn opens its own
    to_run = dict(RECIPES)
    for variant in args.variants:
        options, settings = RECIPES[NOW]
        settings = {**settings, **dict(pair.split("=", 1) for pair in variant.split(","))}
        to_run[f"now with {variant}"] = (options, settings)
    recipes: dict[str, dict] = {
        name: {"latencies": [], "errors": 0, "pss_rest": 0.0, "pss_loaded": 0.0} for name in to_run
    }
    for _ in range(args.rounds):
        for name, (options, settings) in to_run.items():
            figures = run_recipe(options, settings, plan, args.clients, args.seconds)
            found = recipes[name]
            found["latencies"] += figures["latencies"]
            found["errors"] += figures["errors"]
            for key in ("pss_rest", "pss_loaded", "rss_loaded"):
                found[key] = max(found.get(key, 0.0), figures[key])  # the worst round
            found["processes"] = figures["processes"]
    return {"engine_version": version, "recipes": recipes}


def request_plan() -> dict:
    """Cookies and a token for the clients, and the paths they ask for."""
    from django.test import Client
    from django.urls import reverse

    from acuclinic.clinic.models import Location
    from acuclinic.people.models import Patient, User
    from acuclinic.people.services import api_token_create

    sessions = {}
    for role in ("reception", "practitioner"):
        client = Client()
        client.force_login(User.objects.get(username=role))
        sessions[role] = client.cookies["sessionid"].value
    _, token = api_token_create(user=User.objects.get(username="reception"), name="memory bench")
    patients = list(Patient.objects.values_list("pk", "family_name")[:200])
    location = Location.objects.order_by("pk").first().pk
    diary = reverse("diary") + f"?location={location}"
    return {
        "sessions": sessions,
        "token": token,
        "paths": [
            ("reception", diary),
            ("reception", reverse("patient_list") + "?q={family}"),
            ("practitioner", "/patients/{pk}/"),
            ("api", "/api/v1/appointments?limit=20"),
        ],
        "patients": patients,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_recipe(
    options: list[str], settings: dict, plan: dict, clients: int, seconds: float
) -> dict:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "acuclinic.wsgi", "--bind"]
    command += [f"127.0.0.1:{port}", *options]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **settings})
    try:
        wait_until_serving(port)
        time.sleep(2)  # the workers finish booting after the first answers
        rest = server_memory(server.pid)
        # A first pass, not timed: each worker compiles and caches what its first requests
        # need (templates, queries' SQL), which is start-up cost, not serving cost.
        drive(port, plan, clients, min(seconds, 3))
        latencies, errors = drive(port, plan, clients, seconds)
        loaded = server_memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "processes": rest["processes"],
        "pss_rest": rest["pss"],
        "pss_loaded": loaded["pss"],
        "rss_loaded": loaded["rss"],
        "latencies": latencies,
        "errors": errors,
    }


def wait_until_serving(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start serving within two minutes")


def server_processes(master: int) -> list[int]:
    """The master and every process descended from it."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found, frontier = [master], [master]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def server_memory(master: int) -> dict:
    pss = rss = 0
    pids = server_processes(master)
    for pid in pids:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
    return {"processes": len(pids), "pss": pss / 1024, "rss": rss / 1024}


def drive(port: int, plan: dict, clients: int, seconds: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        nonlocal errors
        rng = random.Random(number)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop_at:
            who, template = rng.choice(plan["paths"])
            pk, family = rng.choice(plan["patients"])
            path = template.format(pk=pk, family=quote(family))
            headers = (
                {"Authorization": f"Bearer {plan['token']}"}
                if who == "api"
                else {"Cookie": f"sessionid={plan['sessions'][who]}"}
            )
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


if __name__ == "__main__":
    sys.exit(main())
