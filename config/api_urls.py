"""URL map of the REST API under /api/: one router for every app's viewsets."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from geodata.api import LayerFeatureList, LayerViewSet
from remediation.api import HazardViewSet, MeasureViewSet, VisitViewSet
from sites.api import ResourceEstimateViewSet, SiteViewSet

app_name = "api"

router = DefaultRouter()
router.register("sites", SiteViewSet, basename="site")
router.register("resource-estimates", ResourceEstimateViewSet, basename="resource-estimate")
router.register("layers", LayerViewSet, basename="layer")
router.register("hazards", HazardViewSet, basename="hazard")
router.register("measures", MeasureViewSet, basename="measure")
router.register("visits", VisitViewSet, basename="visit")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("layers/<int:pk>/features/", LayerFeatureList.as_view(), name="layer-features"),
    *router.urls,
]
