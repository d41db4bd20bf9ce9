"""The outbox API (issue 15, point 6): every message with its delivery state, filtered
and paged, for clinic admins; reading it is audited."""

from acuclinic.audit.models import AuditEntry
from acuclinic.notifications import services
from acuclinic.notifications.models import Message
from acuclinic.testing.api_client import as_user


def _queue(to: str, **extra) -> Message:
    return services.send(
        kind="online_cancellation", to=to, subject="Reminder", body="See you soon.", **extra
    )


def test_an_admin_lists_every_message_with_its_delivery_state(admin_user, clinic):
    first = _queue("mira@example.test")
    _queue("tom@example.test")
    Message.objects.filter(pk=first.pk).update(status="failed", reason="Mailbox full")

    answer = as_user(admin_user).get("/messages", params={"limit": 1}).json()
    failed = as_user(admin_user).get("/messages", params={"status": "failed"}).json()

    assert (answer["count"], len(answer["items"])) == (2, 1)
    assert answer["items"][0]["recipient"] == "tom@example.test"  # newest first
    assert answer["items"][0]["status"] == "queued"
    assert [m["recipient"] for m in failed["items"]] == ["mira@example.test"]
    assert failed["items"][0]["reason"] == "Mailbox full"
    assert AuditEntry.objects.filter(detail="outbox (API)").count() == 2


def test_a_bad_filter_is_a_422_and_reception_is_refused(admin_user, reception_user, clinic):
    assert as_user(admin_user).get("/messages", params={"status": "lost"}).status_code == 422
    assert as_user(reception_user).get("/messages").status_code == 403
