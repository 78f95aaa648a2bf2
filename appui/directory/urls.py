from django.urls import path, re_path

from . import views

app_name = "directory"

urlpatterns = [
    path("repertoire/", views.search, name="search"),
    re_path(r"^repertoire/export\.(?P<fmt>csv|json)$", views.export, name="export"),
    path("repertoire/services/<int:pk>/", views.service_detail, name="service_detail"),
    path("repertoire/services/<int:pk>/modifier/", views.service_edit, name="service_edit"),
    path("repertoire/services/<int:pk>/verifier/", views.service_verify, name="service_verify"),
    path("repertoire/services/<int:pk>/archiver/", views.service_archive, name="service_archive"),
    path(
        "repertoire/structures/<int:organisation_pk>/services/nouveau/",
        views.service_create,
        name="service_create",
    ),
    path("repertoire/besoins-non-couverts/", views.unmet_needs, name="unmet_needs"),
    path(
        "repertoire/besoins-non-couverts/nouveau/",
        views.unmet_need_create,
        name="unmet_need_create",
    ),
    path("repertoire/imports/", views.imports, name="imports"),
]
