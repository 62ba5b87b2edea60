"""The pages of evaluate-and-adjust, under ``/feedback/``; each sub-domain adds its routes."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
