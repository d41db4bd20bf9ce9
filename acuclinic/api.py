"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json, browsable at /api/v1/docs).

One router per app; every endpoint calls the same services as the HTML pages, under the
same permissions. Errors are JSON with a stable ``code`` (core.api_errors).
"""

from ninja import NinjaAPI, Router

from acuclinic.clinic.api import router as clinic_router
from acuclinic.core.api_errors import install_error_handlers
from acuclinic.core.api_json import JsonOnlyParser, OffsetJSONRenderer
from acuclinic.core.errors import NotFound
from acuclinic.notifications.api import router as notifications_router
from acuclinic.people.api import router as people_router
from acuclinic.safety.api import router as safety_router
from acuclinic.scheduling.api import router as scheduling_router

DESCRIPTION = """
The acupuncture service's diary, patients and practitioners, for other programs.

**Authentication**: either a signed-in browser session (send the `csrftoken` cookie's
value as `X-CSRFToken` on writes) or an API token, `Authorization: Bearer acu_…`, made
on the *API tokens* page or with `acuclinic apitoken create`. A token acts with its
user's role: reception reaches the diary and contact details, never clinical content.

**Errors** are JSON: `{"code": "...", "message": "...", "field": "..."}`. Branch on
`code`; show `message` to people. Invalid input (422) adds `errors`, one per field; a
double booking (409) adds `alternatives`, the nearest free start times.

**Times** are ISO 8601 with an offset, in the location's time zone. Times sent without an
offset are refused (`naive_datetime`). **Money** is whole pence, with a display string.
"""


class AcuclinicAPI(NinjaAPI):
    # Operation ids are part of the published OpenAPI document: client generators name
    # their methods after them. Django Ninja derives them from the endpoint's module, so
    # the endpoints that moved when the front desk's parts became apps keep the ids they
    # were published with.
    PUBLISHED_MODULE = {
        "acuclinic.scheduling.api.appointments": "acuclinic.scheduling.api",
        "acuclinic.enquiries.api": "acuclinic.scheduling.api_enquiries",
        "acuclinic.waitlist.api": "acuclinic.scheduling.api_waitlist",
    }

    def get_openapi_operation_id(self, operation) -> str:
        module = operation.view_func.__module__
        module = self.PUBLISHED_MODULE.get(module, module)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")


api = AcuclinicAPI(
    title="acuclinic",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    parser=JsonOnlyParser(),
    renderer=OffsetJSONRenderer(),
)
install_error_handlers(api)

api.add_router("", people_router)
api.add_router("", clinic_router)
api.add_router("", scheduling_router)
api.add_router("", notifications_router)
api.add_router("", safety_router)
api.add_router("", "acuclinic.treatment.api.router")
api.add_router("", "acuclinic.outcomes.api.router")
api.add_router("", "acuclinic.enquiries.api.router")
api.add_router("", "acuclinic.waitlist.api.router")
api.add_router("", "acuclinic.billing.api.router")


# Last, so it only answers what nothing above matched: a mistyped address gets a JSON
# 404 like every other API error, not the HTML page meant for people.
unknown = Router()


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:address}", include_in_schema=False
)
def unknown_address(request, address: str):
    raise NotFound(
        "unknown_endpoint",
        f"There is no API endpoint at /api/v1/{address}; see /api/v1/openapi.json.",
    )


api.add_router("", unknown)
