"""The complexity screening grid: the suggestion rules, the record, the page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import screening
from appui.intake.enums import IntensityLevel, RequestStatus
from appui.intake.models import ComplexityScreening
from tests.factories import MembershipFactory, OrganisationFactory, SupportRequestFactory

L = IntensityLevel


@pytest.mark.parametrize(
    ("criteria", "several", "urgent", "level"),
    [
        # Nothing at all: watch.
        ([], False, False, L.WATCH),
        # A criterion without the legal test: a risk to signal.
        (["isolation"], False, False, L.RISK),
        (["isolation", "finances", "housing"], False, False, L.RISK),
        # S2: positive with a hospital discharge → short term, even with several criteria.
        (
            [
                "several_pathologies",
                "repeated_hospitalisations",
                "hospital_discharge",
                "carer_exhausted",
            ],
            True,
            False,
            L.SHORT_TERM,
        ),
        # Positive, few criteria, nothing lasting → short term.
        (["autonomy_loss", "carer_exhausted"], True, False, L.SHORT_TERM),
        # Positive and lasting → long term.
        (["unstable"], True, False, L.LONG_TERM),
        (["intertwined_dependency", "isolation"], True, False, L.LONG_TERM),
        # Positive with many criteria → long term (S4: Alzheimer's, alone, falls, refuses help).
        (
            ["severity", "isolation", "unsuitable_practices", "autonomy_loss", "low_care_use"],
            True,
            False,
            L.LONG_TERM,
        ),
        # Positive with criteria in all three groups → long term.
        (["severity", "isolation", "housing"], True, False, L.LONG_TERM),
        # Urgent request with criteria (S3) → urgence, whatever the rest.
        (["sudden_break", "severity"], True, True, L.URGENT),
        (["isolation"], False, True, L.URGENT),
        # Urgent request without any complexity: nothing to escalate.
        ([], False, True, L.WATCH),
    ],
)
def test_suggestion_rules(criteria, several, urgent, level):
    suggestion = screening.suggest_level(criteria, several, urgent)
    assert suggestion.level == level
    assert suggestion.is_positive is several
    assert suggestion.reasons and all(isinstance(r, str) and r for r in suggestion.reasons)


def test_reasons_say_why_in_french():
    suggestion = screening.suggest_level(["hospital_discharge", "carer_exhausted"], True)
    assert suggestion.reasons == [
        "Plusieurs catégories de professionnels sont nécessaires : la situation est complexe au "
        "sens de la loi.",
        "Facteur aigu ou de court terme (sortie d'hospitalisation récente ou imminente) : une "
        "complexité à résoudre dans les semaines qui viennent.",
    ]
    assert screening.suggest_level([], False).reasons == [
        "Aucun critère de complexité relevé : veille."
    ]


def test_unknown_codes_are_ignored_by_the_suggestion():
    assert screening.suggest_level(["nope"], False).level == L.WATCH


def test_catalogue_covers_the_three_groups():
    groups = {c.group for c in screening.CRITERIA.values()}
    assert groups == set(screening.GROUPS)
    assert screening.CRITERIA["repeated_hospitalisations"].label == (
        "Hospitalisations répétées pour le même problème"
    )
    assert screening.criteria_by_group(["isolation", "unstable"]) == [
        ("Critères médicaux", ["État de santé instable depuis plusieurs mois"]),
        ("Critères psycho-sociaux", ["Isolement ou vulnérabilité sociale"]),
    ]


# --- Recording --------------------------------------------------------------------------------


@pytest.fixture
def staff():
    return MembershipFactory(organisation=OrganisationFactory(dac=True), role=Role.COORDINATOR)


@pytest.mark.django_db
def test_record_screening_stores_the_suggestion(staff):
    request = SupportRequestFactory(dac=staff.organisation, status=RequestStatus.IN_ANALYSIS)
    record = screening.record_screening(
        staff,
        request,
        ["repeated_hospitalisations", "carer_exhausted", "hospital_discharge"],
        True,
        "BPCO et insuffisance cardiaque, épouse épuisée, sortie dans trois jours.",
    )
    record.refresh_from_db()
    assert record.person == request.person
    assert record.is_positive is True
    assert record.suggested_level == L.SHORT_TERM
    assert len(record.suggestion_reasons) == 2
    event = Event.objects.get(subject_id=str(request.pk), verb="screened")
    assert event.data == {"screening": record.pk, "positive": True, "level": L.SHORT_TERM}


@pytest.mark.django_db
def test_screening_is_refused_with_french_messages(staff):
    request = SupportRequestFactory(dac=staff.organisation)
    with pytest.raises(ValidationError) as refused:
        screening.record_screening(staff, request, ["isolation", "magic"], True, "")
    assert refused.value.message_dict["criteria"] == ["Critère inconnu : magic."]
    assert "Justifiez" in refused.value.message_dict["justification"][0]
    web = SupportRequestFactory(dac=staff.organisation, person=None)
    with pytest.raises(ValidationError) as refused:
        screening.record_screening(staff, web, ["isolation"], False, "")
    assert "Identifiez d'abord la personne" in refused.value.messages[0]
    closed = SupportRequestFactory(dac=staff.organisation, status=RequestStatus.CLOSED)
    with pytest.raises(ValidationError):
        screening.record_screening(staff, closed, ["isolation"], False, "")
    with pytest.raises(PermissionDenied):
        screening.record_screening(
            MembershipFactory(role=Role.COORDINATOR), request, ["isolation"], False, ""
        )
    assert not ComplexityScreening.objects.exists()


@pytest.mark.django_db
def test_screening_page_records_and_prefills_the_answer_level(client, staff):
    client.force_login(staff.user)
    request = SupportRequestFactory(dac=staff.organisation, status=RequestStatus.IN_ANALYSIS)
    url = reverse("intake:request_screening", args=[request.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Critères psycho-sociaux" in html and "Perte d&#x27;autonomie" in html
    response = client.post(
        url,
        {
            "several_categories": "on",
            "medical": ["unstable", "several_pathologies"],
            "context": ["autonomy_loss"],
            "justification": "Suivi médical, infirmier et social nécessaire.",
        },
    )
    assert response.status_code == 302
    record = ComplexityScreening.objects.get(request=request)
    assert record.criteria == ["unstable", "several_pathologies", "autonomy_loss"]
    assert record.suggested_level == L.LONG_TERM
    detail = client.get(reverse("intake:request_detail", args=[request.pk])).content.decode()
    assert "Situation complexe" in detail and "Niveau 3 — complexe à long terme" in detail
    respond = client.get(reverse("intake:request_respond", args=[request.pk])).content.decode()
    assert '<option value="long_term" selected>' in respond
    # The grid is pre-filled with the last screening when it is done again.
    again = client.get(url).content.decode()
    assert 'value="unstable" dsfr="dsfr" id="id_medical_2" checked' in again
    assert 'value="severity" dsfr="dsfr" id="id_medical_1">' in again


@pytest.mark.django_db
def test_screening_page_shows_errors_next_to_the_field(client, staff):
    client.force_login(staff.user)
    request = SupportRequestFactory(dac=staff.organisation)
    response = client.post(
        reverse("intake:request_screening", args=[request.pk]),
        {"several_categories": "on", "medical": ["severity"]},
    )
    assert response.status_code == 200
    assert "Justifiez en quelques mots" in response.content.decode()
    assert not ComplexityScreening.objects.exists()
