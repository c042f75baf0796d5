from django.urls import path

from sites import views

app_name = "sites"
urlpatterns = [
    path("", views.public_map, name="map"),
    path("sites/", views.site_list, name="list"),
    path("sites/<int:pk>/", views.site_detail, name="detail"),
    path("sites/<int:pk>.json", views.site_summary, name="summary"),
]
