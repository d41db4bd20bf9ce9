"""The kill -9 drill: does anything acknowledged get lost when processes die?

    .venv/bin/python bench/drill.py [--seconds 30] [--clients 8]

In a fresh SQLite clinic (the demo, in a temporary folder) it runs gunicorn as in
production (4 workers) and `acuclinic worker` with mail written to files, queues
messages, then for ``--seconds``: 8 clients book through POST /api/v1/appointments
(each with an Idempotency-Key, retrying the same key after a dropped connection, as
the API asks), while every two seconds a random web worker gets `kill -9` and every few
seconds the message worker does too (often while it is sending) and is started again.
Then it lets the worker recover and prints:

- acknowledged bookings lost: a 201 whose appointment is not in the database;
- double bookings: two active appointments overlapping for a practitioner or a room;
- messages sent twice: one Message-ID in two emails;
- messages unsent after recovery: queued messages (or failed ones with a retry due)
  not sent once the worker has had time to recover. A message whose worker died in the
  middle of handing it to the mail server is not sent again on purpose (it might have
  gone: sending it again could send it twice); it is left for a person and counted
  apart.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import timedelta  # noqa: E402


def children_of(pid: int) -> list[str]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return found.stdout.split()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument(
        "--recovery-seconds",
        type=float,
        default=11 * 60,
        help="how long the restarted worker may take to send what is left (a task lost "
        "with its worker is queued again after 10 minutes: delivery.LOST_AFTER)",
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="acuclinic-drill-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "acuclinic.settings",
            "ACUCLINIC_VAR_DIR": str(folder),
            "DEBUG": "0",
            "SECRET_KEY": "drill-" + uuid.uuid4().hex * 2,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(folder / "mail"),
            "ACUCLINIC_API_RATE_PER_TOKEN": "1000000",
            "ACUCLINIC_API_RATE_PER_ADDRESS": "1000000",
            "ACUCLINIC_MESSAGE_RETRY_SECONDS": "1",
            "LOG_LEVEL": "ERROR",
        }
    )
    print(f"Building the demo clinic in {folder}…", flush=True)
    subprocess.run(
        [sys.executable, "-m", "acuclinic", "setup"], check=True, cwd=ROOT, capture_output=True
    )
    import django

    django.setup()
    from django.db import connection

    from acuclinic.notifications import kinds
    from acuclinic.notifications import services as notifications
    from acuclinic.notifications.choices import MessageStatus
    from acuclinic.notifications.models import Message
    from acuclinic.people.models import User
    from acuclinic.people.services import api_token_create
    from acuclinic.scheduling.models import Appointment
    from bench.scheduling import Server, booking_pool, client_lists

    rng = random.Random(17)
    pool = booking_pool(
        django.utils.timezone.localdate() + timedelta(days=60), args.clients * 60, rng
    )
    lists = client_lists(pool, args.clients, contended=0.1)
    reception = User.objects.get(username="reception")
    tokens = [api_token_create(user=reception, name=f"Drill {i}")[1] for i in range(args.clients)]
    # A kind of its own, with no "still wanted?" check: the worker just sends it.
    kinds.register("drill", "Drill message")
    queued = [
        notifications.send(
            kind="drill", to=f"patient{i}@example.test", subject=f"Drill {i}", body="Drill."
        ).pk
        for i in range(args.messages)
    ]
    connection.close()

    server = Server(4, folder / "gunicorn.log")
    server.wait_until_up()
    worker_log = (folder / "worker.log").open("w")

    def start_worker():
        return subprocess.Popen(
            [sys.executable, "-m", "acuclinic", "worker"],
            cwd=ROOT,
            stdout=worker_log,
            stderr=worker_log,
        )

    worker = start_worker()
    acknowledged: list[int] = []
    kills = Counter()
    answers = Counter()
    stop = threading.Event()

    def client(i: int) -> None:
        auth = {"Authorization": f"Bearer {tokens[i]}"}
        for body in lists[i]:
            if stop.is_set():
                return
            key = str(uuid.uuid4())
            for _ in range(50):  # the same key until a definite answer
                try:
                    status, text = server.request(
                        "POST", "/api/v1/appointments", body, {**auth, "Idempotency-Key": key}
                    )
                except OSError:
                    time.sleep(0.05)
                    continue
                answers[status] += 1
                if status == 201:
                    acknowledged.append(json.loads(text)["id"])
                if status < 500:
                    break
                time.sleep(0.05)

    def killer() -> None:
        nonlocal worker
        tick = 0
        while not stop.wait(1.0):
            tick += 1
            children = [] if tick % 2 else children_of(server.process.pid)
            if children:
                os.kill(int(rng.choice(children)), signal.SIGKILL)
                kills["web worker"] += 1
            if tick % 3 == 0:
                worker.send_signal(signal.SIGKILL)
                worker.wait()
                kills["message worker"] += 1
                worker = start_worker()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    threads.append(threading.Thread(target=killer))
    print(f"Booking with {args.clients} clients for {args.seconds:g} s, killing…", flush=True)
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    stop.set()
    for thread in threads:
        thread.join()
    server.stop()
    # Recovery: one worker, left alone until nothing is left to send or the time is up.
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    worker = start_worker()
    began = time.monotonic()
    print("Letting the worker recover…", flush=True)
    while time.monotonic() < began + args.recovery_seconds:
        waiting = Message.objects.filter(pk__in=queued, status=MessageStatus.QUEUED).count()
        waiting += Message.objects.filter(
            pk__in=queued, status=MessageStatus.FAILED, next_attempt_at__isnull=False
        ).count()
        if not waiting:
            break
        time.sleep(2)
    recovered_in = time.monotonic() - began
    worker.send_signal(signal.SIGTERM)
    worker.wait()
    connection.close()

    lost = len(set(acknowledged) - set(Appointment.objects.values_list("pk", flat=True)))
    with connection.cursor() as cursor:
        double = 0
        for column in ("practitioner_id", "room_id"):
            cursor.execute(
                f"""SELECT count(*) FROM scheduling_appointment a JOIN scheduling_appointment b
                ON a.{column} = b.{column} AND a.id < b.id
                AND a.status IN ('booked','arrived','completed')
                AND b.status IN ('booked','arrived','completed')
                AND a.start < b.held_until AND b.start < a.held_until"""
            )
            double += cursor.fetchone()[0]
    ids = Counter()
    for path in (folder / "mail").glob("*"):
        ids.update(re.findall(r"^Message-ID: (\S+)", path.read_text(), re.M))
    sent_twice = sum(1 for n in ids.values() if n > 1)
    drill = Message.objects.filter(pk__in=queued)
    statuses = Counter(drill.values_list("status", flat=True))
    # Still to go: queued, or failed with a retry due.
    unsent = (
        statuses[MessageStatus.QUEUED]
        + drill.filter(status=MessageStatus.FAILED, next_attempt_at__isnull=False).count()
    )
    # A send cut off by kill -9: nobody knows if the mail server took it, so it is not
    # sent again; it waits out its lease, then is left failed for a person.
    cut_off = (
        statuses[MessageStatus.SENDING]
        + drill.filter(status=MessageStatus.FAILED, next_attempt_at__isnull=True).count()
    )
    print()
    print(f"kills: {dict(kills)}; answers: {dict(answers)}")
    print(f"bookings acknowledged (201): {len(acknowledged)}")
    print(f"acknowledged bookings lost:        {lost}")
    print(f"double bookings:                   {double}")
    print(f"messages sent twice:               {sent_twice}")
    print(f"messages unsent after recovery:    {unsent} (recovery took {recovered_in:.0f} s)")
    print(
        f"  (cut off mid-send, left for a person, never resent: {cut_off};"
        f" sent: {statuses[MessageStatus.SENT]} of {len(queued)})"
    )
    return 1 if lost or double or sent_twice or unsent else 0


if __name__ == "__main__":
    sys.exit(main())
