"""Keep the role groups and their permissions in step with roles.py after each migrate."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q


def _last_app_migrate_signals():
    # The app whose post_migrate comes last: migrate sends one per app with models, in
    # this order (django.core.management.sql.emit_post_migrate_signal).
    return [config for config in apps.get_app_configs() if config.models_module][-1]


def sync_role_groups(app_config=None, **kwargs) -> None:
    """Give each role's group its permissions. As a post_migrate receiver it acts on the
    last app's signal only: by then every app's permissions exist (auth makes them on each
    app's own signal), and syncing once per app took seconds of every `make run`."""
    if app_config is not None and app_config is not _last_app_migrate_signals():
        return
    from acuclinic.people.roles import ROLE_PERMISSIONS

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        query = Q()
        for perm in perms:
            app_label, codename = perm.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        found = list(Permission.objects.filter(query))
        if len(found) == len(perms):
            group.permissions.set(found)
