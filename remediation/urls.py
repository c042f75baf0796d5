from django.urls import path

from remediation import public_report_views, views

app_name = "remediation"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("public-reports/", public_report_views.public_report_list, name="public_reports"),
    path("public-reports/<int:pk>/handle/", public_report_views.public_report_handle, name="public_report_handle"),
    path("sites/<int:site_id>/evidence/new/", views.evidence_create, name="evidence_create"),
    path("sites/<int:site_id>/treated-areas.geojson", views.treated_areas, name="treated_areas"),
    path("sites/<int:site_id>/<str:kind>/new/", views.record_create, name="create"),
    path("<str:kind>/<int:pk>/edit/", views.record_edit, name="edit"),
    path("<str:kind>/<int:pk>/delete/", views.record_delete, name="delete"),
    path("<str:kind>/<int:pk>/publish/", views.record_publish, name="publish"),
    path("hazards/<int:pk>/approve-priority/", views.hazard_approve_priority, name="approve_priority"),
    path("measures/<int:pk>/sign-off/", views.measure_sign_off, name="sign_off"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/thumbnail/", views.evidence_file, {"variant": "thumbnail"}, name="evidence_thumbnail"),
]
