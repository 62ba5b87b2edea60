from django.contrib import admin
from django.urls import include, path

from tandem.api import api
from tandem.core.web import form_methods_only, require_form_methods
from tandem.insights.urls import program_urlpatterns as insights_program
from tandem.insights.urls import site_urlpatterns as insights_site
from tandem.people.admin import own_password_change

urlpatterns = [
    path(
        "admin/password_change/", require_form_methods(admin.site.admin_view(own_password_change))
    ),
    path("admin/", (form_methods_only(admin.site.get_urls()), "admin", admin.site.name)),
    path("api/", api.urls),
    path("", include("tandem.people.urls")),
    path("programs/", include(insights_program)),
    path("insights/", include(insights_site)),
    path("programs/", include("tandem.matchruns.urls")),
    path("programs/", include("tandem.programs.urls")),
    path("mentorships/", include("tandem.mentorships.urls")),
    path("notifications/", include("tandem.notify.urls")),
    path("messages/", include("tandem.messaging.urls")),
    path("feedback/", include("tandem.feedback.urls")),
    path("", include("tandem.web.urls")),
]
