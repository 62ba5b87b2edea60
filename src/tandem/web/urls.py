from django.urls import path

from tandem.web import views

urlpatterns = [
    path("", views.home, name="dashboard"),
    path("me/", views.dashboard, name="participant_dashboard"),
    path(
        "home/programs/<int:program_id>/people/<int:enrolment_id>/approve/",
        views.admin_home_approve,
        name="admin_home_approve",
    ),
]
