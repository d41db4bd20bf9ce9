from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "acuclinic.people"
    label = "people"

    def ready(self):
        from acuclinic.people import credentials
        from acuclinic.people.signals import sync_role_groups

        # Load and check the licensing data now: a malformed file stops the application
        # naming the problem, rather than letting bookings through unchecked later.
        credentials.regimes.cache_clear()
        credentials.regimes()

        post_migrate.connect(sync_role_groups, dispatch_uid="acuclinic_sync_roles")
