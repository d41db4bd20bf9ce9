"""The FHIR R4 endpoint (/fhir/R4/): metadata, read and search, with the API's tokens.

A caller authenticates as on /api/v1/ (``Authorization: Bearer acu_…`` or a signed-in
session) and needs the same permissions as the pages for the same records. Every
failure — unknown type or parameter, malformed date, no token, not allowed — is an
OperationOutcome. Reads of a patient's records are audited, one entry per resource.
"""

from functools import wraps
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib.auth import authenticate
from django.db.models import Q

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.api_auth import permitted
from acuclinic.core.errors import Forbidden
from acuclinic.interop.fhir import capability, search_params, slots
from acuclinic.interop.fhir.outcome import fhir_response, operation_outcome
from acuclinic.interop.fhir.registry import KINDS, Kind, Reader
from acuclinic.interop.fhir.search_params import SearchError

LONDON = ZoneInfo("Europe/London")
DEFAULT_COUNT = 50
MAX_COUNT = 500
# Parameters every search accepts that do not filter (FHIR R4 §3.1.1.5).
PASSIVE = {"_format", "_offset"}


def _caller(request):
    """The user behind the request (token first, then session), or an OperationOutcome."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None, operation_outcome(
                401,
                "login",
                "Send an API token as “Authorization: Bearer acu_…”.",
                {"WWW-Authenticate": "Bearer"},
            )
        user = authenticate(request, api_token=token.strip())
        if user is None:
            return None, operation_outcome(
                401,
                "login",
                "This API token is not valid: it is unknown or revoked, or its account is "
                "disabled.",
                {"WWW-Authenticate": "Bearer"},
            )
        request.auth_user = user
        return user, None
    if request.user.is_authenticated:
        return request.user, None
    return None, operation_outcome(
        401,
        "login",
        "Authentication required: send an API token as “Authorization: Bearer acu_…”.",
        {"WWW-Authenticate": "Bearer"},
    )


def only_reads(view):
    """GET and HEAD only (this server reads); anything else is told so."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return operation_outcome(
                405,
                "not-supported",
                f"This FHIR server only reads: {request.method} is not supported.",
                {"Allow": "GET, HEAD"},
            )
        return view(request, *args, **kwargs)

    return wrapper


def fhir_endpoint(view):
    """Resolve the resource type and the caller, and check their permissions."""

    @wraps(view)
    def wrapper(request, resource_type, *args, **kwargs):
        kind = KINDS.get(resource_type)
        if kind is None:
            return operation_outcome(
                404, "not-supported", f"This server does not serve “{resource_type}” resources."
            )
        user, failure = _caller(request)
        if failure is not None:
            return failure
        try:
            permitted(request, user, kind.perms)
        except Forbidden as exc:
            return operation_outcome(403, "forbidden", exc.message)
        return view(request, kind, user, *args, **kwargs)

    return only_reads(wrapper)


def _audit(kind: Kind, objs: list) -> None:
    if kind.about_patient and objs:
        audit.record_many(AuditAction.VIEW, objs, detail=f"FHIR {kind.name}")


@fhir_endpoint
def read(request, kind: Kind, user, resource_id: str):
    unknown = set(request.GET) - PASSIVE
    if unknown:
        return operation_outcome(
            400, "not-supported", f"A read takes no parameters: {', '.join(sorted(unknown))}."
        )
    obj = None
    if resource_id.isdigit():
        obj = kind.queryset().filter(pk=int(resource_id)).first()
    if obj is None:
        return operation_outcome(
            404, "not-found", f"There is no {kind.name} with the id “{resource_id}”."
        )
    body = kind.render(obj, Reader.of(user))
    _audit(kind, [obj])
    return fhir_response(body)


def _filters(kind: Kind, query) -> tuple[Q, int, int]:
    """The filter, count and offset a search asks for; SearchError if any is wrong."""
    supported = set(kind.search_params) | PASSIVE
    unknown = sorted(set(query) - supported)
    if unknown:
        raise SearchError(
            f"{kind.name} cannot be searched by {', '.join(unknown)}. Supported: "
            f"{', '.join(sorted(kind.search_params))} (see /fhir/R4/metadata)."
        )
    where = Q()
    for value in query.getlist("_id"):
        ids = search_params.parse_ids(value)
        where &= Q(pk__in=[int(i) for i in ids if i.isdigit()])
    for value in query.getlist("patient"):
        pid = search_params.parse_reference(value, "Patient")
        where &= Q(**{kind.patient: int(pid)}) if pid.isdigit() else Q(pk__in=[])
    for name, lookup in (("date", kind.date), ("_lastUpdated", kind.last_updated)):
        as_day = kind.date_is_day and name == "date"
        for value in query.getlist(name):
            for bound in search_params.date_bounds(value, LONDON):
                moment = bound.moment.astimezone(LONDON).date() if as_day else bound.moment
                where &= Q(**{f"{lookup}__{bound.op}": moment})
    for value in query.getlist("status"):
        wanted = Q(pk__in=[])
        for code in value.split(","):
            if code not in kind.status:
                raise SearchError(
                    f"“{code}” is not a {kind.name} status here: use one of "
                    f"{', '.join(sorted(kind.status))}."
                )
            wanted |= kind.status[code]
        where &= wanted
    count = search_params.parse_count(query.get("_count", str(DEFAULT_COUNT)), maximum=MAX_COUNT)
    offset = search_params.parse_offset(query.get("_offset", "0"))
    return where, count, offset


@fhir_endpoint
def search(request, kind: Kind, user):
    try:
        where, count, offset = _filters(kind, request.GET)
    except SearchError as exc:
        return operation_outcome(400, "invalid", str(exc))
    matches = kind.queryset().filter(where).order_by("pk")
    total = matches.count()
    page = list(matches[offset : offset + count])
    reader = Reader.of(user)
    base = request.build_absolute_uri(f"/fhir/R4/{kind.name}")
    query = [(k, v) for k, v in request.GET.lists() for v in v if k != "_offset"]

    def link(relation: str, at: int) -> dict:
        params = urlencode([*query, ("_offset", str(at))]) if at else urlencode(query)
        return {"relation": relation, "url": f"{base}?{params}" if params else base}

    links = [link("self", offset)]
    if offset + count < total:
        links.append(link("next", offset + count))
    if offset:
        links.append(link("previous", max(0, offset - count)))
    entries = []
    for obj in page:
        body = kind.render(obj, reader)
        entries.append(
            {
                "fullUrl": f"{base}/{body['id']}",
                "resource": body,
                "search": {"mode": "match"},
            }
        )
    _audit(kind, page)
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries,
    }
    if not entries:
        del bundle["entry"]
    return fhir_response(bundle)


@only_reads
def metadata(request):
    return fhir_response(capability.statement(request.build_absolute_uri("/fhir/R4")))


@only_reads
def unknown(request, rest: str = ""):
    return operation_outcome(
        404, "not-supported", f"This FHIR server has nothing at “/fhir/R4/{rest}”."
    )


@only_reads
def slot_search(request):
    user, failure = _caller(request)
    if failure is not None:
        return failure
    try:
        permitted(request, user, slots.PERMS)
    except Forbidden as exc:
        return operation_outcome(403, "forbidden", exc.message)
    return slots.search(request, LONDON)


@only_reads
def slot_read(request, resource_id: str):
    return operation_outcome(
        404,
        "not-supported",
        "Slots are free times worked out from the diary, not stored records: search them "
        "(Slot?schedule=…&service-type=…&start=…).",
    )
