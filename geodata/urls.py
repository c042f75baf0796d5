from django.urls import path

from geodata import views

app_name = "geodata"
urlpatterns = [
    path("<int:pk>/features.geojson", views.layer_geojson, name="geojson"),
]
