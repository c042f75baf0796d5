"""Vector tile addresses: the survey layers' own, then the sources the apps registered (geodata.tiles).

z/x/y are taken as text so that a bad address gets a 400 that says why.
"""

from django.urls import path

from geodata import tiles, views

app_name = "tiles"
urlpatterns = [
    path("layers/<int:pk>/<str:z>/<str:x>/<str:y>.pbf", views.layer_tile, name="layer"),
    path("layers/<int:pk>/features/<int:feature_id>.json", views.layer_feature, name="layer-feature"),
]
for source in tiles.registered_sources():
    urlpatterns.append(path(f"{source.name}/<str:z>/<str:x>/<str:y>.pbf", source.tile_view, name=source.name))
    if source.feature_view:
        urlpatterns.append(path(f"{source.name}/<int:pk>.json", source.feature_view, name=source.feature_name))
