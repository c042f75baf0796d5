"""URLs of proposed changes, included under /review/changes/."""

from django.urls import path

from access import proposal_views

app_name = "proposals"
urlpatterns = [
    path("", proposal_views.change_list, name="list"),
    path("<int:pk>/", proposal_views.change_detail, name="detail"),
    path("<int:pk>/accept/", proposal_views.change_accept, name="accept"),
    path("<int:pk>/send-back/", proposal_views.change_send_back, name="send_back"),
]
