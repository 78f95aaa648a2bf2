from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("sante/", views.health, name="health"),
    path("a-propos/", views.about, name="about"),
    path("administration/", views.administration, name="administration"),
    path("administration/journal-des-acces/", views.access_log, name="access_log"),
]
