"""Online booking, the enquiry inbox and the waitlist became apps of their own. Their
models leave scheduling's migration state only: the tables, and every row in them, stay
as they are; the new apps take them over under the same names (their 0001 migrations)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0006_online_booking_enquiries_waitlist"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("WaitlistOffer"),
                migrations.DeleteModel("FreedTime"),
                migrations.DeleteModel("WaitlistEntry"),
                migrations.DeleteModel("Enquiry"),
                migrations.DeleteModel("OnlineBooking"),
                migrations.DeleteModel("RateLimitCount"),
            ],
            database_operations=[],
        ),
    ]
