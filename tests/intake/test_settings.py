"""The director's settings of the entry point: the DAC's catalogue of reasons and the
first-answer thresholds. Every change is an event; a reason in use is never deleted."""

from datetime import datetime
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from appui.core.enums import Role
from appui.core.models import Event
from appui.intake import services
from appui.intake.models import IntakeSettings, RequestReason, SupportRequest
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SupportRequestFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("intake:settings")


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def dac():
    return OrganisationFactory(dac=True)


@pytest.fixture
def director(dac, login):
    return login(Role.DIRECTOR, organisation=dac)


def labels(dac) -> list[str]:
    return list(
        RequestReason.objects.filter(dac=dac)
        .order_by("position", "label")
        .values_list("label", flat=True)
    )


def events(verb):
    return Event.objects.filter(verb=verb)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.DIRECTOR, 200),
        (Role.COORDINATOR, 403),
        (Role.ASSISTANT, 403),
        (Role.CASE_MANAGER, 403),
        (Role.SUPPORT_PHYSICIAN, 403),
        (Role.PARTNER, 403),
        (Role.REGIONAL_PILOT, 403),
        (Role.ADMIN, 403),
    ],
)
def test_only_the_director_changes_the_settings(client, login, role, status):
    membership = login(role)
    assert client.get(URL).status_code == status
    services.ensure_default_reasons(membership.organisation)
    reason = RequestReason.objects.filter(dac=membership.organisation).first()
    posts = [
        (URL, {"urgent_answer_days": 1, "normal_answer_days": 3}),
        (reverse("intake:reason_create"), {"label": "Nouveau motif"}),
        (reverse("intake:reason_edit", args=[reason.pk]), {"label": "Autre libellé"}),
        (reverse("intake:reason_move", args=[reason.pk, "descendre"]), {}),
        (reverse("intake:reason_toggle", args=[reason.pk]), {}),
        (reverse("intake:reason_delete", args=[reason.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in ((302, 200) if status == 200 else (403,))
    if status != 200:
        assert labels(membership.organisation) == list(services.DEFAULT_REASONS)


def test_the_page_lists_the_catalogue_and_the_thresholds(client, dac, director):
    html = text(client.get(URL))
    for label in services.DEFAULT_REASONS:
        assert label in html
    assert 'name="urgent_answer_days" value="0"' in html
    assert 'name="normal_answer_days" value="2"' in html


def test_the_settings_link_is_on_the_queue_for_the_director_only(client, dac, director, login):
    assert URL in text(client.get(reverse("intake:queue")))
    login(Role.COORDINATOR, organisation=dac)
    assert URL not in text(client.get(reverse("intake:queue")))


def test_add_a_reason(client, dac, director):
    client.get(URL)
    response = client.post(reverse("intake:reason_create"), {"label": "  Logement   insalubre "})
    assert response.status_code == 302
    assert labels(dac)[-1] == "Logement insalubre"
    event = events("created").get(subject_type="intake.requestreason")
    assert event.actor == director.user and event.data == {"label": "Logement insalubre"}


@pytest.mark.parametrize(
    ("label", "message"),
    [("isolement", "Ce motif existe déjà dans le catalogue du DAC."), ("", "Indiquez le libellé")],
)
def test_a_bad_label_is_refused(client, dac, director, label, message):
    client.get(URL)
    response = client.post(reverse("intake:reason_create"), {"label": label})
    assert response.status_code == 200 and message in text(response)
    assert labels(dac) == list(services.DEFAULT_REASONS)


def test_the_same_label_may_exist_in_another_dac(client, dac, director):
    services.ensure_default_reasons(OrganisationFactory(dac=True))
    client.post(reverse("intake:reason_create"), {"label": "Logement insalubre"})
    client.get(URL)
    other = OrganisationFactory(dac=True)
    services.add_reason(
        MembershipFactory(organisation=other, role=Role.DIRECTOR), other, "Logement insalubre"
    )
    assert "Logement insalubre" in labels(dac) and "Logement insalubre" in labels(other)


def test_rename_a_reason(client, dac, director):
    services.ensure_default_reasons(dac)
    reason = RequestReason.objects.get(dac=dac, label="Isolement")
    request = SupportRequestFactory(dac=dac)
    request.reasons.add(reason)
    assert "Renommer le motif" in text(client.get(reverse("intake:reason_edit", args=[reason.pk])))
    client.post(reverse("intake:reason_edit", args=[reason.pk]), {"label": "Isolement social"})
    reason.refresh_from_db()
    assert reason.label == "Isolement social"
    assert [r.label for r in request.reasons.all()] == ["Isolement social"]
    event = events("renamed").get()
    assert event.data == {"before": "Isolement", "after": "Isolement social"}


def test_reorder_reasons(client, dac, director):
    services.ensure_default_reasons(dac)
    second = RequestReason.objects.get(dac=dac, label=services.DEFAULT_REASONS[1])
    client.post(reverse("intake:reason_move", args=[second.pk, "monter"]))
    assert labels(dac)[:3] == [
        services.DEFAULT_REASONS[1],
        services.DEFAULT_REASONS[0],
        services.DEFAULT_REASONS[2],
    ]
    assert events("moved").get().data == {"position": 1}
    client.post(reverse("intake:reason_move", args=[second.pk, "descendre"]))
    client.post(reverse("intake:reason_move", args=[second.pk, "descendre"]))
    assert labels(dac)[:3] == [
        services.DEFAULT_REASONS[0],
        services.DEFAULT_REASONS[2],
        services.DEFAULT_REASONS[1],
    ]
    last = RequestReason.objects.get(dac=dac, label=services.DEFAULT_REASONS[-1])
    client.post(reverse("intake:reason_move", args=[last.pk, "descendre"]))  # already last
    assert labels(dac)[-1] == services.DEFAULT_REASONS[-1]
    assert events("moved").count() == 3


def test_deactivate_a_reason_in_use_keeps_it_on_its_requests(client, dac, director):
    services.ensure_default_reasons(dac)
    reason = RequestReason.objects.get(dac=dac, label="Fin de vie")
    request = SupportRequestFactory(dac=dac)
    request.reasons.add(reason)
    response = client.post(reverse("intake:reason_toggle", args=[reason.pk]), follow=True)
    assert "Le motif « Fin de vie » n'est plus proposé" in text(response)
    reason.refresh_from_db()
    assert not reason.is_active
    assert list(request.reasons.all()) == [reason]
    assert events("deactivated").filter(subject_id=str(reason.pk)).exists()
    assistant = MembershipFactory(organisation=dac, role=Role.ASSISTANT)
    client.force_login(assistant.user)
    assert "Fin de vie" not in text(client.get(reverse("intake:request_create")))
    client.force_login(director.user)
    client.post(reverse("intake:reason_toggle", args=[reason.pk]))
    reason.refresh_from_db()
    assert reason.is_active and events("reactivated").exists()


def test_a_reason_in_use_is_never_deleted(client, dac, director):
    services.ensure_default_reasons(dac)
    used = RequestReason.objects.get(dac=dac, label="Isolement")
    SupportRequestFactory(dac=dac).reasons.add(used)
    unused = RequestReason.objects.get(dac=dac, label="Précarité")
    html = text(client.get(URL))
    assert f'action="{reverse("intake:reason_delete", args=[used.pk])}"' not in html
    assert f'action="{reverse("intake:reason_delete", args=[unused.pk])}"' in html
    response = client.post(reverse("intake:reason_delete", args=[used.pk]), follow=True)
    assert "Ce motif est cité par des demandes : désactivez-le plutôt." in text(response)
    assert RequestReason.objects.filter(pk=used.pk).exists()
    client.post(reverse("intake:reason_delete", args=[unused.pk]))
    assert not RequestReason.objects.filter(pk=unused.pk).exists()
    assert events("deleted").get().data == {"label": "Précarité"}


def test_a_reason_cited_by_an_archived_request_is_in_use(dac):
    services.ensure_default_reasons(dac)
    reason = RequestReason.objects.get(dac=dac, label="Isolement")
    request = SupportRequestFactory(dac=dac)
    request.reasons.add(reason)
    SupportRequest.all_objects.filter(pk=request.pk).update(deleted_at=timezone.now())
    assert services.reason_in_use(reason)


def test_another_dacs_reason_is_out_of_reach(client, dac, director):
    other = OrganisationFactory(dac=True)
    services.ensure_default_reasons(other)
    foreign = RequestReason.objects.filter(dac=other).first()
    assert client.get(reverse("intake:reason_edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("intake:reason_toggle", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("intake:reason_delete", args=[foreign.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.set_reason_active(director, foreign, False)


def test_change_the_thresholds(client, dac, director):
    client.get(URL)
    response = client.post(URL, {"urgent_answer_days": 1, "normal_answer_days": 5})
    assert response.status_code == 302
    settings = IntakeSettings.objects.get(dac=dac)
    assert (settings.urgent_answer_days, settings.normal_answer_days) == (1, 5)
    event = events("thresholds_changed").get()
    assert event.data == {"before": {"urgent": 0, "normal": 2}, "after": {"urgent": 1, "normal": 5}}
    # A new request is due 5 working days after Friday 9 January: Friday 16 January.
    request = SupportRequest(
        dac=dac,
        person=PersonFactory(dac=dac),
        channel="phone",
        requester_kind="other",
        requester_name="Voisine",
        description="Situation",
        received_at=timezone.make_aware(datetime(2026, 1, 9, 10, 0)),
    )
    saved = services.create_request(director, request)
    assert timezone.localtime(saved.answer_due_at).date().isoformat() == "2026-01-16"


def test_unchanged_thresholds_record_no_event(client, dac, director):
    client.post(URL, {"urgent_answer_days": 0, "normal_answer_days": 2})
    assert not events("thresholds_changed").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"urgent_answer_days": 40, "normal_answer_days": 2}, "Un délai de plus de 30 jours"),
        ({"urgent_answer_days": -1, "normal_answer_days": 2}, "supérieure ou égale à 0"),
        ({"urgent_answer_days": "", "normal_answer_days": 2}, "Ce champ est obligatoire"),
    ],
)
def test_bad_thresholds_are_refused(client, dac, director, data, message):
    response = client.post(URL, data)
    assert response.status_code == 200 and message in text(response)
    assert (IntakeSettings.objects.get(dac=dac).urgent_answer_days) == 0


def test_default_reasons_are_seeded_once_per_dac(dac):
    services.ensure_default_reasons(dac)
    services.ensure_default_reasons(dac)
    assert labels(dac) == list(services.DEFAULT_REASONS)
    assert events("reasons_seeded").count() == 1
    other = OrganisationFactory(dac=True)
    RequestReason.objects.create(dac=other, label="Motif propre")
    services.ensure_default_reasons(other)
    assert labels(other) == ["Motif propre"]  # a DAC with its own catalogue keeps it


def test_settings_page_query_count_is_bounded(client, dac, director, django_assert_max_num_queries):
    services.ensure_default_reasons(dac)
    for reason in RequestReason.objects.filter(dac=dac)[:5]:
        SupportRequestFactory(dac=dac).reasons.add(reason)
    with django_assert_max_num_queries(10):
        assert client.get(URL).status_code == 200
