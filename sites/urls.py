from django.urls import path

from sites import estimate_views, quality_views, views

app_name = "sites"
urlpatterns = [
    path("", views.public_map, name="map"),
    path("sites/", views.site_list, name="list"),
    path("sites/export.<str:file_format>", views.site_export, name="export"),
    path("sites/<int:pk>/", views.site_detail, name="detail"),
    path("sites/import/", views.site_import, name="import"),
    path("sites/import/<int:pk>/", views.site_import_status, name="import_status"),
    path("sites/<int:pk>/estimates/new/", estimate_views.estimate_edit, name="estimate_new"),
    path("sites/<int:pk>/estimates/<int:estimate_pk>/", estimate_views.estimate_edit, name="estimate_edit"),
    path("sites/<int:pk>/estimates/<int:estimate_pk>/delete/", estimate_views.estimate_delete, name="estimate_delete"),
    path(
        "sites/<int:pk>/estimates/<int:estimate_pk>/publish/", estimate_views.estimate_publish, name="estimate_publish"
    ),
    path("sites/<int:pk>.json", views.site_summary, name="summary"),
    path("quality/", quality_views.quality_page, name="quality"),
    path("quality/sites/<int:pk>/dismiss/", quality_views.dismiss_flag, name="dismiss_flag"),
    path("quality/merge/", quality_views.merge_sites, name="merge"),
]
