from django.urls import path

from . import views

app_name = "persons"

urlpatterns = [
    path("personnes/", views.person_list, name="list"),
    path("personnes/nouvelle/", views.person_create, name="create"),
    path("personnes/medecins/", views.gp_options, name="gp_options"),
    path("personnes/suggestions/", views.person_options, name="person_options"),
    path("personnes/<int:pk>/", views.person_detail, name="detail"),
    path("personnes/<int:pk>/modifier/", views.person_edit, name="edit"),
    path("personnes/<int:pk>/identite/", views.identity, name="identity"),
    path("personnes/<int:pk>/proches/nouveau/", views.carer_edit, name="carer_create"),
    path(
        "personnes/<int:pk>/proches/<int:carer_pk>/modifier/", views.carer_edit, name="carer_edit"
    ),
    path(
        "personnes/<int:pk>/proches/<int:carer_pk>/archiver/",
        views.carer_archive,
        name="carer_archive",
    ),
    path("personnes/<int:pk>/doublons/", views.duplicates, name="duplicates"),
    path(
        "personnes/<int:pk>/doublons/<int:other_pk>/distincts/",
        views.not_duplicate,
        name="not_duplicate",
    ),
    path("personnes/<int:pk>/fusionner/<int:other_pk>/", views.merge, name="merge"),
    path("personnes/<int:pk>/fusions/<int:merge_pk>/annuler/", views.merge_undo, name="merge_undo"),
]
