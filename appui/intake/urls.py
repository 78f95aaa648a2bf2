from django.urls import path, re_path

from .views import entry, request  # noqa: F401

app_name = "intake"

urlpatterns = [
    # --- Entry: queue, new request, partner's form and "my requests", settings -------------
    path("demandes/", entry.queue_page, name="queue"),
    path("demandes/file/", entry.queue_results, name="queue_results"),
    path("demandes/nouvelle/", entry.request_create, name="request_create"),
    path("demandes/nouvelle/personnes/", entry.person_results, name="person_results"),
    path("demandes/nouvelle/personne/", entry.person_block, name="person_block"),
    path("demandes/nouvelle/demandeurs/", entry.requester_results, name="requester_results"),
    path("demandes/nouvelle/demandeur/", entry.requester_block, name="requester_block"),
    path("demandes/solliciter/", entry.partner_create, name="partner_create"),
    path("demandes/mes-sollicitations/", entry.partner_requests, name="partner_requests"),
    path("demandes/reglages/", entry.intake_settings, name="settings"),
    path("demandes/reglages/motifs/", entry.reason_create, name="reason_create"),
    path("demandes/reglages/motifs/<int:pk>/", entry.reason_edit, name="reason_edit"),
    re_path(
        r"^demandes/reglages/motifs/(?P<pk>[0-9]+)/(?P<direction>monter|descendre)/$",
        entry.reason_move,
        name="reason_move",
    ),
    path(
        "demandes/reglages/motifs/<int:pk>/activation/", entry.reason_toggle, name="reason_toggle"
    ),
    path(
        "demandes/reglages/motifs/<int:pk>/suppression/", entry.reason_delete, name="reason_delete"
    ),
    # --- Request page: timeline, triage, responses, contacts, GP letter ----------------------
    path("demandes/<int:pk>/", request.request_detail, name="request_detail"),
    path("demandes/<int:pk>/prise-en-analyse/", request.request_take, name="request_take"),
    path("demandes/<int:pk>/attribution/", request.request_assign, name="request_assign"),
    path("demandes/<int:pk>/reperage/", request.request_screening, name="request_screening"),
    path("demandes/<int:pk>/reponse/", request.request_respond, name="request_respond"),
    path(
        "demandes/<int:pk>/reponses/<int:response_pk>/decision-de-la-structure/",
        request.request_referral_decision,
        name="request_referral_decision",
    ),
    path("demandes/<int:pk>/accord/", request.request_agreement, name="request_agreement"),
    path("demandes/<int:pk>/cloture/", request.request_close, name="request_close"),
    path(
        "demandes/<int:pk>/personne/", request.request_attach_person, name="request_attach_person"
    ),
    path("demandes/<int:pk>/contacts/ajout/", request.request_contact, name="request_contact"),
    path(
        "demandes/<int:pk>/medecin-traitant/",
        request.request_gp_information,
        name="request_gp_information",
    ),
    path(
        "demandes/<int:pk>/medecin-traitant/<int:letter_pk>/",
        request.request_gp_letter,
        name="request_gp_letter",
    ),
]
