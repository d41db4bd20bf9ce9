from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "acuclinic.people"
    label = "people"

    def ready(self):
        from acuclinic.people.signals import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="acuclinic_sync_roles")
