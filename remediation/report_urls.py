from django.urls import path

from remediation import views

app_name = "reports"
urlpatterns = [path("", views.progress_report, name="index")]
