from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from connectivity.selectors import system_health


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
    return JsonResponse(body, status=200 if health.ok else 503)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for a URL no route matches: the API's JSON error body under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": {}}, status=404)
    return page_not_found(request, exception)
