"""The JSON API at /api/v1/ (OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI

api = NinjaAPI(title="acuclinic", version="1", urls_namespace="api")
