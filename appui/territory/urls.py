from django.urls import path

from . import views

app_name = "territory"

urlpatterns = [
    path("repertoire/annuaire/", views.directory, name="directory"),
    path("repertoire/structures/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("repertoire/professionnels/nouveau/", views.professional_edit, name="professional_create"),
    path(
        "repertoire/professionnels/<int:pk>/", views.professional_detail, name="professional_detail"
    ),
    path(
        "repertoire/professionnels/<int:pk>/modifier/",
        views.professional_edit,
        name="professional_edit",
    ),
    path("administration/communes/", views.commune_list, name="commune_list"),
]
