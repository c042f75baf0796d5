from django.urls import path

from remediation import review_views

app_name = "review"
urlpatterns = [
    path("", review_views.queue_page, name="queue"),
    path("publish/", review_views.publish_selected, name="publish_selected"),
    path("<str:kind>/<int:pk>/publish/", review_views.record_publish, name="publish"),
    path("<str:kind>/<int:pk>/send-back/", review_views.record_send_back, name="send_back"),
]
