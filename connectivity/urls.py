from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from connectivity import views
from connectivity.api import ApiRootApi
from dashboards import views as dashboard_views
from organization import views as organization_views

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiRootApi.as_view(), name="root"),
    path("", include("organization.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("actionplans.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("surveys.api.urls")),
]

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("organization.urls")),
    path("accounts/", include("accounts.urls")),
    path("feedback/", include("feedback.urls")),
    path("notifications/", organization_views.notifications, name="notifications"),
    path("plans/", include("actionplans.urls")),
    path("surveys/yoy/", include("surveys.yearly_urls")),
    path("surveys/", include("surveys.urls")),
    path("s/", include("surveys.public_urls")),
    path("reviews/", include("reviews.urls")),
    path("", include("dashboards.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script. Swagger UI sets styles from
    # its script, so this one page allows inline styles (never inline scripts): docs/security.md. It is a page for
    # people: a logged-out visitor goes to the login page and comes back (systems read /api/schema/ with a token).
    path(
        "api/docs/",
        login_required(
            csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "connectivity.views.bad_request"
handler403 = "connectivity.views.permission_denied"
handler404 = "connectivity.views.not_found"
handler500 = "connectivity.views.server_error"
