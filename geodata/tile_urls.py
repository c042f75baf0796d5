"""Vector tile addresses; z/x/y are taken as text so that a bad address gets a 400 that says why."""

from django.urls import path

from geodata import views

app_name = "tiles"
urlpatterns = [
    path("sites/<str:z>/<str:x>/<str:y>.pbf", views.site_tile, name="sites"),
    path("layers/<int:pk>/<str:z>/<str:x>/<str:y>.pbf", views.layer_tile, name="layer"),
    path("layers/<int:pk>/features/<int:feature_id>.json", views.layer_feature, name="layer-feature"),
    path("remediation/<str:z>/<str:x>/<str:y>.pbf", views.remediation_tile, name="remediation"),
    path("remediation/<int:pk>.json", views.remediation_feature, name="remediation-feature"),
    path("hazards/<str:z>/<str:x>/<str:y>.pbf", views.hazard_tile, name="hazards"),
    path("hazards/<int:pk>.json", views.hazard_feature, name="hazard-feature"),
]
