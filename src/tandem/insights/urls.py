"""The insight pages: ``program_urlpatterns`` under ``programs/`` (a program's admins),
``site_urlpatterns`` under ``insights/`` (site staff)."""

from django.urls import path

from tandem.insights import views

program_urlpatterns = [
    path("<slug:slug>/insights/", views.program_insights, name="insights_program"),
    path(
        "<slug:slug>/insights/<slug:section>/",
        views.program_insights,
        name="insights_program_section",
    ),
    path(
        "<slug:slug>/insights/<slug:section>.xlsx",
        views.program_section_xlsx,
        name="insights_program_xlsx",
    ),
    path(
        "<slug:slug>/insights/<slug:section>/<slug:table>.csv",
        views.program_table_csv,
        name="insights_program_csv",
    ),
]

site_urlpatterns = [
    path("", views.site_insights, name="insights_site"),
    path("<slug:section>/", views.site_insights, name="insights_site_section"),
    path("<slug:section>.xlsx", views.site_section_xlsx, name="insights_site_xlsx"),
    path("<slug:section>/<slug:table>.csv", views.site_table_csv, name="insights_site_csv"),
]
