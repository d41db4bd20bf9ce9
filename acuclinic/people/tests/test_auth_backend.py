"""Permissions read in one query: the same answers as Django's own model backend."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from acuclinic.people.models import User


def fresh(user) -> User:
    """The user as a new request sees them: nothing cached on the object yet."""
    return User.objects.get(pk=user.pk)


def test_every_role_holds_what_djangos_backend_says(users):
    for name, user in users.items():
        ours = fresh(user).get_all_permissions()
        djangos = ModelBackend().get_all_permissions(fresh(user))
        assert ours == djangos, name
    assert "scheduling.add_appointment" in fresh(users["reception"]).get_all_permissions()
    assert not fresh(users["outsider"]).get_all_permissions()


def test_a_users_own_permission_counts_beside_their_roles(reception_user):
    own = Permission.objects.get(content_type__app_label="clinic", codename="change_clinic")
    assert not fresh(reception_user).has_perm("clinic.change_clinic")

    reception_user.user_permissions.add(own)

    user = fresh(reception_user)
    assert user.has_perms(["clinic.change_clinic", "scheduling.add_appointment"])


def test_permissions_are_read_once_a_request(reception_user, django_assert_num_queries):
    user = fresh(reception_user)
    with django_assert_num_queries(1):
        assert user.has_perm("scheduling.add_appointment")
        assert user.has_perms(["people.view_patient", "scheduling.change_appointment"])
        assert not user.has_perm("clinic.change_clinic")


@pytest.mark.parametrize("change", ["disabled", "superuser"])
def test_a_disabled_user_holds_nothing_and_a_superuser_everything(reception_user, change):
    if change == "disabled":
        reception_user.is_active = False
    else:
        reception_user.is_superuser = True
    reception_user.save()

    held = fresh(reception_user).get_all_permissions()

    if change == "disabled":
        assert held == set()
    else:
        assert len(held) == Permission.objects.count()
