"""The public's way to report a problem at a site, under the site's own address."""

from django.urls import path

from remediation import public_report_views

app_name = "public-reports"
urlpatterns = [
    path("", public_report_views.report_problem, name="new"),
    path("thanks/", public_report_views.report_thanks, name="thanks"),
]
