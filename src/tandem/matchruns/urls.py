from django.urls import path

from tandem.matchruns import views

urlpatterns = [
    path("<slug:slug>/match-runs/", views.match_run_list, name="match_run_list"),
    path("<slug:slug>/match-runs/start/", views.match_run_start, name="match_run_start"),
    path("<slug:slug>/match-runs/compare/", views.match_run_compare, name="match_run_compare"),
    path("<slug:slug>/match-runs/<int:run_id>/", views.match_run_detail, name="match_run_detail"),
    path(
        "<slug:slug>/match-runs/<int:run_id>/status/",
        views.match_run_status,
        name="match_run_status",
    ),
    path(
        "<slug:slug>/match-runs/<int:run_id>/constraints/",
        views.match_run_constrain,
        name="match_run_constrain",
    ),
    path(
        "<slug:slug>/match-runs/<int:run_id>/constraints/<int:constraint_id>/remove/",
        views.match_run_unconstrain,
        name="match_run_unconstrain",
    ),
    path(
        "<slug:slug>/match-runs/<int:run_id>/rerun/", views.match_run_rerun, name="match_run_rerun"
    ),
    path(
        "<slug:slug>/match-runs/<int:run_id>/publish/",
        views.match_run_publish,
        name="match_run_publish",
    ),
    path(
        "<slug:slug>/match-runs/<int:run_id>/discard/",
        views.match_run_discard,
        name="match_run_discard",
    ),
    path("<slug:slug>/mentors/", views.program_mentors, name="program_mentors"),
]
