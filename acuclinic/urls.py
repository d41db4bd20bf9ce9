from django.urls import include, path

from acuclinic.api import api

urlpatterns = [
    path("", include("acuclinic.core.urls")),
    path("patients/", include("acuclinic.people.urls")),
    path("diary/", include("acuclinic.scheduling.urls")),
    path("audit/", include("acuclinic.audit.urls")),
    path("safety/", include("acuclinic.safety.urls")),
    path("treatment/", include("acuclinic.treatment.urls")),
    path("outcomes/", include("acuclinic.outcomes.urls")),
    path("messages/", include("acuclinic.notifications.urls")),
    path("clinic/", include("acuclinic.clinic.urls")),
    path("calendar/", include("acuclinic.scheduling.feed_urls")),
    path("account/", include("acuclinic.people.account_urls")),
    path("book/", include("acuclinic.scheduling.online_urls")),
    path("enquiries/", include("acuclinic.scheduling.enquiry_urls")),
    path("waitlist/", include("acuclinic.scheduling.waitlist_urls")),
    # The patient's progress pages (outcomes) sit inside the portal's address space.
    path("portal/progress/", include("acuclinic.outcomes.portal_urls")),
    path("portal/", include("acuclinic.portal.urls")),
    path("api/v1/", api.urls),
]

handler403 = "acuclinic.core.views.forbidden"
handler404 = "acuclinic.core.views.not_found"
