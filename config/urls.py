"""URL map of the registry: public pages, admin and health check."""

from django.contrib import admin
from django.urls import include, path

from access import views as access_views
from config import api_token, health
from geodata.ogc import views as ogc_views

urlpatterns = [
    # First: a map asks for dozens of tiles per view, so their URLs are matched before any page's.
    path("tiles/", include("geodata.tile_urls")),
    path("", include("sites.urls")),
    path("sites/<int:site_id>/report/", include("remediation.public_report_urls")),
    path("layers/", include("geodata.urls")),
    path("remediation/", include("remediation.urls")),
    path("reports/", include("remediation.report_urls")),
    path("review/changes/", include("access.proposal_urls")),
    path("review/", include("remediation.review_urls")),
    path("admin/", admin.site.urls),
    path("accounts/api-token/", api_token.api_token, name="api-token"),
    path("accounts/notifications/", access_views.notification_preferences, name="notifications"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("api/", include("config.api_urls")),
    # QGIS does not follow a redirect: the landing page answers at /ogc as at /ogc/.
    path("ogc", ogc_views.landing, name="ogc-landing"),
    path("ogc/", include("geodata.ogc.urls")),
]
# Under /api/ these answer JSON, elsewhere the HTML pages.
handler404 = "geodata.rest.page_not_found"
handler500 = "geodata.rest.server_error"
