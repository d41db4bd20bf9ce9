"""Headers every page and API response carries: a Content-Security-Policy, a
Permissions-Policy, and ``Cache-Control: no-store`` unless the view chose otherwise.

Scripts come only from our own static files: no inline ``<script>`` and no ``on…=``
attributes anywhere, so ``script-src 'self'`` with no ``unsafe-inline``. Inline *styles*
are still allowed (the diary positions its cards with ``style=``; htmx adds one small
``<style>``): a style cannot run code.

Static files are answered by WhiteNoise before this middleware runs, so they stay
cacheable; every other response is personal data or may be (a staff page, an API
answer, the portal), so a browser keeps none of them: the back button on a shared
front-desk screen shows nothing once someone has signed out.
"""

from django.utils.cache import add_never_cache_headers

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Nothing here uses a camera, microphone, location or payment; passkeys are this site's.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=()",
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "publickey-credentials-get=(self)",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "Cache-Control" not in response:
            add_never_cache_headers(response)
        # Whatever the server in front would say about itself, the app says nothing.
        if "Server" in response:
            del response["Server"]
        return response
