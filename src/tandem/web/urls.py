from django.urls import path

from tandem.web import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
