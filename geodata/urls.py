from django.urls import path

app_name = "geodata"
urlpatterns: list = []
