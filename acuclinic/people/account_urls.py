from django.urls import include, path

from acuclinic.people import (
    account_views,
    passkey_views,
    staff_views,
    token_views,
    two_factor_views,
)

urlpatterns = [
    path("tokens/", token_views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("sign-in-locks/", account_views.signin_locks, name="signin_locks"),
    path("sign-in-locks/<int:pk>/unlock/", account_views.signin_unlock, name="signin_unlock"),
    path("security/", account_views.security_settings, name="security_settings"),
    path("two-factor/", two_factor_views.verify, name="two_factor_verify"),
    path("two-factor/setup/", two_factor_views.setup, name="two_factor_setup"),
    # Under two-factor/, which the two-factor gate lets a half-signed-in session open.
    path("two-factor/passkeys/", include("acuclinic.people.passkey_urls")),
    path(
        "two-factor/passkeys/<int:pk>/remove/",
        passkey_views.remove,
        name="passkey_remove",
    ),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/<int:pk>/", staff_views.staff_change, name="staff_change"),
    path("staff/<int:pk>/edit/", staff_views.staff_edit, name="staff_edit"),
]
