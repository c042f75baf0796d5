from django.urls import path

from geodata import version_views, views

app_name = "geodata"
urlpatterns = [
    path("", views.layer_catalogue, name="catalogue"),
    path("upload/", views.layer_upload, name="upload"),
    path("<int:pk>/", views.layer_detail, name="detail"),
    path("<int:pk>/status.json", views.layer_status, name="status"),
    path("<int:pk>/retry/", views.layer_retry, name="retry"),
    path("<int:pk>/import-every-layer/", views.layer_import_every, name="import_every"),
    path("<int:pk>/publish/", views.layer_publish, name="publish"),
    path("<int:pk>/change/", version_views.layer_change, name="change"),
    path("<int:pk>/change/publish/", version_views.publish_change, name="publish_change"),
    path("<int:pk>/change/discard/", version_views.discard_change, name="discard_change"),
    path("<int:pk>/versions/<int:number>/file", version_views.version_file, name="version_file"),
    path("<int:pk>/boundaries/", views.layer_boundaries, name="boundaries"),
    path("<int:pk>/features.geojson", views.layer_geojson, name="geojson"),
    path("<int:pk>/download.<str:file_format>", views.layer_download, name="download"),
]
