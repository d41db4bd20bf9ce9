from django.urls import include, path

from acuclinic.api import api
from acuclinic.clinic.urls import favicon_urlpatterns
from acuclinic.online_booking.urls import check_urlpatterns
from acuclinic.scheduling.urls import calendar_urlpatterns
from acuclinic.waitlist.urls import offer_urlpatterns

urlpatterns = [
    path("", include("acuclinic.core.urls")),
    path("", include(favicon_urlpatterns)),
    path("patients/", include("acuclinic.people.urls")),
    path("diary/", include("acuclinic.scheduling.urls")),
    path("audit/", include("acuclinic.audit.urls")),
    path("safety/", include("acuclinic.safety.urls")),
    path("treatment/", include("acuclinic.treatment.urls")),
    path("outcomes/", include("acuclinic.outcomes.urls")),
    path("billing/", include("acuclinic.billing.urls")),
    path("messages/", include("acuclinic.notifications.urls")),
    path("clinic/practitioners/", include("acuclinic.people.credentials_urls")),
    path("clinic/", include("acuclinic.clinic.urls")),
    path("calendar/", include(calendar_urlpatterns)),
    path("account/", include("acuclinic.people.account_urls")),
    path("book/", include("acuclinic.online_booking.urls")),
    path("book/offer/", include(offer_urlpatterns)),
    # The records online bookings made, which reception checks from the inbox.
    path("enquiries/new-patients/", include(check_urlpatterns)),
    path("enquiries/", include("acuclinic.enquiries.urls")),
    path("waitlist/", include("acuclinic.waitlist.urls")),
    path("portal/", include("acuclinic.portal.urls")),
    path("my-day/", include("acuclinic.myday.urls")),
    path("api/v1/", api.urls),
    path("fhir/R4/", include("acuclinic.interop.urls")),
    path("data/", include("acuclinic.interop.page_urls")),
]

handler403 = "acuclinic.core.views.forbidden"
handler404 = "acuclinic.core.views.not_found"
