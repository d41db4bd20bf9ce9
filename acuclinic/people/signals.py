"""Keep the role groups and their permissions in step with roles.py after each migrate."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q


def sync_role_groups(**kwargs) -> None:
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
