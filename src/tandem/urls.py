from django.contrib import admin
from django.urls import include, path

from tandem.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("tandem.people.urls")),
    path("programs/", include("tandem.matchruns.urls")),
    path("programs/", include("tandem.programs.urls")),
    path("mentorships/", include("tandem.mentorships.urls")),
    path("notifications/", include("tandem.notify.urls")),
    path("messages/", include("tandem.messaging.urls")),
    path("feedback/", include("tandem.feedback.urls")),
    path("", include("tandem.web.urls")),
]
