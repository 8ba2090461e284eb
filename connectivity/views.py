import logging

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.log import log_response
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found

from connectivity.selectors import system_health

health_logger = logging.getLogger("connectivity.health")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and `make run`: 200 when database, broker and worker heartbeat are fine."""
    health = system_health(now=timezone.now())
    body = {
        "status": "ok" if health.ok else "unavailable",
        "database": {"ok": health.database.ok, "detail": health.database.detail},
        "broker": {"ok": health.broker.ok, "detail": health.broker.detail},
        "heartbeat": {
            "ok": health.heartbeat.ok,
            "detail": health.heartbeat.detail,
            "age_seconds": None if health.heartbeat_age_seconds is None else round(health.heartbeat_age_seconds, 1),
        },
    }
    response = JsonResponse(body, status=200 if health.ok else 503)
    if not health.ok:
        # Django logs every 5xx as an ERROR on django.request, once per response: a load balancer probing every
        # few seconds while the worker starts would fill the log with them. Say it here instead, at the level it
        # deserves (starting up is expected; a lost database or broker is worth a warning), and mark it logged.
        starting = health.database.ok and health.broker.ok and health.heartbeat_age_seconds is None
        log_response(
            "Health check unavailable: %s",
            "; ".join(f"{name} {check.detail}" for name, check in health.checks() if not check.ok),
            response=response,
            request=request,
            logger=health_logger,
            level="info" if starting else "warning",
        )
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no route matches: the API's JSON error body under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": {}}, status=404)
    return page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refuses before any view runs: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, too many
    form fields a 400, each saying so (JSON under /api/). Nothing was read, so nothing was written.

    A view refuses a query string it cannot read (`?before=2026-02-30`) by raising BadRequest with the reason:
    the styled 400 page says it."""
    if type(exception) is BadRequest and exception.args and not request.path.startswith("/api/"):
        return render(request, "400.html", {"reason": str(exception)}, status=400)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        status, message = 413, f"The request body is larger than {limit} MB."
    elif isinstance(exception, TooManyFieldsSent):
        status, message = 400, f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields."
    elif type(exception) is BadRequest and exception.args:
        status, message = 400, str(exception)
    else:
        return default_bad_request(request, exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "errors": {}}, status=status)
    return HttpResponse(
        f"<!doctype html><title>Request refused</title><h1>Request refused</h1><p>{message}</p>", status=status
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 with the reason the policy gave (every PermissionDenied names it): the styled page, or the API's JSON
    error body under /api/ for the few refusals that happen outside DRF's views (a CSRF refusal)."""
    reason = str(exception) or "You may not do this."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason, "errors": {}}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


SERVER_ERROR_FALLBACK = (
    "<!doctype html><title>Something went wrong</title><h1>Something went wrong on our side</h1>"
    "<p>The error has been logged. Try again in a moment.</p>"
)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the API's JSON error body under /api/, a styled page elsewhere.

    The failure may be the database's or a context processor's, so the page needs neither: 500.html extends
    nothing and is rendered without the request (no context processors, no session, no user). Should even that
    fail (a missing static file in the manifest), the page is plain HTML."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "A server error occurred.", "errors": {}}, status=500)
    try:
        body = loader.get_template("500.html").render()
    except Exception:  # the page that reports a failure must not fail in turn
        logging.getLogger("django.request").exception("The 500 page could not be rendered")
        body = SERVER_ERROR_FALLBACK
    return HttpResponse(body, status=500)
