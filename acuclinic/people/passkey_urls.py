"""django-otp-webauthn's URL names (its template tags reverse them), served by our views."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from acuclinic.people import passkey_views as views

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        views.BeginRegistration.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        views.CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        views.BeginAuthentication.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        views.CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    # The library's scripts' messages, in English (a script file: CSP allows it).
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
