"""The care circle: members added and ending, the person's objections, the circle page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from appui.circle import services
from appui.circle.models import CareCircleMember, Notification, Objection
from appui.core import sharing
from appui.core.enums import CircleRelationship, Role
from appui.core.models import Event
from tests.factories import (
    CareEpisodeFactory,
    CarerFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    ProfessionalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
YESTERDAY = lambda: timezone.localdate() - datetime.timedelta(days=1)  # noqa: E731


def staff(person, role=Role.COORDINATOR):
    return MembershipFactory(organisation=person.dac, role=role)


def partner(profession="physiotherapist", **kwargs):
    user = UserFactory()
    professional = ProfessionalFactory(profession=profession, user=user, **kwargs)
    membership = MembershipFactory(
        user=user, role=Role.PARTNER, organisation=OrganisationFactory(kind="practice")
    )
    return membership, professional


def add_professional(person, actor, professional, role_label="Kinésithérapeute"):
    return services.add_member(
        person,
        kind="professional",
        professional=professional,
        role_label=role_label,
        joined_how="added",
        actor=actor,
    )


# --- Members ---------------------------------------------------------------------------------


def test_add_member_records_the_event_and_brings_the_partner_in_at_once():
    person = PersonFactory()
    actor = staff(person)
    membership, professional = partner()
    assert not sharing.access(membership, person).visible
    member = add_professional(person, actor, professional)
    assert member.circle.person == person and member.is_active
    event = Event.objects.get(verb="member_added", subject_id=str(person.pk))
    assert event.data["member"] == member.pk
    sharing.forget(membership)
    assert sharing.access(membership, person).relationship == CircleRelationship.MEMBER
    # The professional with an account is told (without anything about the person).
    notice = Notification.objects.get(user=professional.user, kind="circle")
    assert person.birth_name not in notice.title


def test_add_member_refuses_duplicates_foreign_staff_other_carers_and_the_dac_itself():
    person = PersonFactory()
    actor = staff(person)
    professional = ProfessionalFactory()
    add_professional(person, actor, professional)
    with pytest.raises(ValidationError, match="fait déjà partie"):
        add_professional(person, actor, professional)
    other_staff = MembershipFactory(role=Role.COORDINATOR)  # another DAC
    with pytest.raises(ValidationError) as error:
        services.add_member(
            person, kind="staff", user=other_staff.user, joined_how="added", actor=actor
        )
    assert "user" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.add_member(
            person, kind="carer", carer=CarerFactory(), joined_how="added", actor=actor
        )
    assert "carer" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.add_member(
            person, kind="organisation", organisation=person.dac, joined_how="added", actor=actor
        )
    assert "organisation" in error.value.error_dict
    # A colleague of the DAC and the person's own carer are welcome.
    colleague = staff(person, Role.CASE_MANAGER)
    services.add_member(person, kind="staff", user=colleague.user, joined_how="added", actor=actor)
    services.add_member(
        person, kind="carer", carer=CarerFactory(person=person), joined_how="added", actor=actor
    )
    assert CareCircleMember.objects.filter(circle__person=person).count() == 3


def test_only_staff_who_may_change_the_circle_add_members():
    person = PersonFactory()
    assistant = staff(person, Role.ASSISTANT)
    with pytest.raises(PermissionDenied):
        add_professional(person, assistant, ProfessionalFactory())
    foreign = MembershipFactory(role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        add_professional(person, foreign, ProfessionalFactory())


def test_end_member_needs_a_reason_keeps_the_row_and_ends_the_access():
    person = PersonFactory()
    actor = staff(person)
    membership, professional = partner()
    member = add_professional(person, actor, professional)
    with pytest.raises(ValidationError) as error:
        services.end_member(member, TODAY(), "  ", actor=actor)
    assert "reason" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.end_member(member, TODAY() + datetime.timedelta(days=1), "Fin", actor=actor)
    assert "end_date" in error.value.error_dict
    services.end_member(member, TODAY(), "Fin de la rééducation", actor=actor)
    member.refresh_from_db()
    assert member.end_date == TODAY() and member.end_reason == "Fin de la rééducation"
    assert Event.objects.filter(verb="member_left", subject_id=str(person.pk)).exists()
    sharing.forget(membership)
    assert sharing.access(membership, person).relationship == CircleRelationship.LEFT
    with pytest.raises(ValidationError, match="déjà quitté"):
        services.end_member(member, TODAY(), "Encore", actor=actor)


# --- Objections ------------------------------------------------------------------------------


def objection(person, target, actor, **kwargs):
    fields = {
        "scope": "restrict",
        "categories": ["plan"],
        "own_actions_only": True,
        "expressed_on": TODAY(),
        "expressed_how": "visit",
        **kwargs,
    }
    return services.record_objection(person, target=target, actor=actor, **fields)


def test_restriction_is_effective_at_once_and_notifies_the_staff_of_the_episode():
    episode = CareEpisodeFactory()
    person = episode.person
    actor = staff(person)
    referent = staff(person).user
    episode.referent = referent
    episode.save()
    membership, professional = partner(civility="M.", first_name="Thomas", last_name="Vasseur")
    member = add_professional(person, actor, professional)
    assert sharing.access(membership, person).medical
    recorded = objection(person, member, actor)
    assert recorded.professional == professional and recorded.member == member
    access = sharing.access(fresh(membership), person)
    assert access.relationship == CircleRelationship.RESTRICTED
    assert access.plan and not access.medical and access.own_actions_only
    assert Event.objects.filter(verb="objection_recorded", subject_id=str(person.pk)).exists()
    notice = Notification.objects.get(user=referent, kind="objection")
    assert person.birth_name not in notice.title
    [sentence] = services.objection_notices(person)
    assert "s'oppose au partage avec M. Thomas Vasseur (Masseur-kinésithérapeute)" in sentence
    assert "au-delà des actions du PPCS dont il est responsable" in sentence
    assert f"depuis le {TODAY():%d/%m/%Y}, exprimée lors d'une visite à domicile" in sentence
    # Withdrawn: the default rights come back, the objection stays.
    services.withdraw_objection(recorded, TODAY(), "Accord retrouvé", actor=actor)
    assert sharing.access(fresh(membership), person).medical
    assert Objection.objects.get(pk=recorded.pk).withdrawn_on == TODAY()
    assert services.objection_notices(person) == []


def fresh(membership):
    sharing.forget(membership)
    return membership


def test_objection_rules():
    person = PersonFactory()
    actor = staff(person)
    member = add_professional(person, actor, ProfessionalFactory(profession="nurse"))
    for kwargs, field in [
        ({"categories": []}, "categories"),
        ({"categories": ["astrology"]}, "categories"),
        ({"categories": ["social"], "own_actions_only": True}, "own_actions_only"),
        ({"expressed_on": TODAY() + datetime.timedelta(days=1)}, "expressed_on"),
        ({"expressed_how": "telepathy"}, "expressed_how"),
        ({"expressed_by": "legal_representative"}, "legal_representative"),
    ]:
        with pytest.raises(ValidationError) as error:
            objection(person, member, actor, **kwargs)
        assert field in error.value.error_dict, kwargs
    # A person under a legal measure objects through their representative.
    representative = CarerFactory(person=person, is_legal_representative=True)
    with pytest.raises(ValidationError) as error:
        objection(person, member, actor)
    assert "expressed_by" in error.value.error_dict
    recorded = objection(
        person,
        member,
        actor,
        scope="exclude",
        categories=["plan"],
        expressed_by="legal_representative",
        legal_representative=representative,
    )
    assert recorded.categories == [] and not recorded.own_actions_only
    with pytest.raises(ValidationError, match="déjà en cours"):
        objection(
            person,
            member,
            actor,
            expressed_by="legal_representative",
            legal_representative=representative,
        )
    with pytest.raises(ValidationError):
        services.withdraw_objection(recorded, YESTERDAY() - datetime.timedelta(days=1), "", actor)


def test_objection_to_the_gp_and_exclusion_hides_the_person():
    gp_membership, gp = partner("physician")
    person = PersonFactory(gp=gp)
    actor = staff(person)
    assert sharing.access(gp_membership, person).medical
    objection(person, gp, actor, scope="exclude", expressed_how="written")
    assert sharing.access(fresh(gp_membership), person).relationship == "excluded"
    with pytest.raises(ValidationError):
        objection(person, ProfessionalFactory(), actor)  # not the GP, not a member


# --- The page --------------------------------------------------------------------------------


def benali_like():
    episode = CareEpisodeFactory()
    person = episode.person
    actor = staff(person)
    episode.referent = actor.user
    episode.save()
    gp_membership, gp = partner("physician")
    person.gp = gp
    person.save()
    physio_membership, physio = partner(civility="M.")
    member = add_professional(person, actor, physio)
    nurse = add_professional(person, actor, ProfessionalFactory(profession="nurse"), "IDEL")
    services.add_member(
        person, kind="carer", carer=CarerFactory(person=person), joined_how="added", actor=actor
    )
    objection(person, member, actor)
    services.end_member(nurse, TODAY(), "Fin des soins", actor=actor)
    return person, actor, physio_membership, member


def test_circle_page_for_staff_shows_members_badges_former_and_actions(
    client, django_assert_max_num_queries
):
    person, actor, _, member = benali_like()
    client.force_login(actor.user)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("circle:circle", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Limité·e à : Plan d&#x27;accompagnement (PPCS)" in html
    assert "seulement les actions dont il est responsable" in html
    assert "Anciens membres" in html and "Fin des soins" in html
    assert "Médecin traitant" in html and "Référent·e de l'accompagnement" in html
    assert reverse("circle:member_end", args=[member.pk]) in html
    assert "s&#x27;oppose au partage avec" in html


def test_circle_page_query_count_does_not_grow_with_members(client, django_assert_max_num_queries):
    person, actor, _, _ = benali_like()
    for _ in range(10):
        add_professional(person, actor, ProfessionalFactory())
    client.force_login(actor.user)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("circle:circle", args=[person.pk])).status_code == 200


def test_partner_in_the_circle_reads_it_without_actions_or_objections(client):
    person, _, physio_membership, member = benali_like()
    client.force_login(physio_membership.user)
    response = client.get(reverse("circle:circle", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Opposition" not in html and "Limité·e" not in html
    assert reverse("circle:member_end", args=[member.pk]) not in html
    assert client.get(reverse("circle:member_end", args=[member.pk])).status_code == 403


def test_outsiders_get_403_or_404(client):
    person, *_ = benali_like()
    outsider, _ = partner("nurse")
    client.force_login(outsider.user)
    assert client.get(reverse("circle:circle", args=[person.pk])).status_code == 404
    other_dac = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(other_dac.user)
    assert client.get(reverse("circle:circle", args=[person.pk])).status_code == 404
    pilot = MembershipFactory(role=Role.REGIONAL_PILOT)
    client.force_login(pilot.user)
    assert client.get(reverse("circle:circle", args=[person.pk])).status_code == 403


def test_adding_a_professional_through_search_then_form(client, django_assert_max_num_queries):
    person = PersonFactory()
    actor = staff(person)
    for n in range(25):
        ProfessionalFactory(last_name=f"Lemaire{n:02d}", profession="nurse")
    target = ProfessionalFactory(last_name="Vasseur", profession="physiotherapist")
    client.force_login(actor.user)
    url = reverse("circle:member_search_professional", args=[person.pk])
    with django_assert_max_num_queries(20):
        response = client.get(url, {"q": "lemaire"})
    assert response.context["page_obj"].paginator.count == 25
    assert len(response.context["object_list"]) == 20
    response = client.get(url, {"q": target.rpps})
    assert list(response.context["object_list"]) == [target]
    add_url = reverse("circle:member_add_professional", args=[person.pk, target.pk])
    response = client.post(add_url, {"role_label": "Kiné, plan d'exercices", "joined_how": "added"})
    assert response.status_code == 302
    member = CareCircleMember.objects.get(circle__person=person, professional=target)
    assert member.role_label == "Kiné, plan d'exercices"
    # Twice: the refusal is shown on the form, nothing is added.
    response = client.post(add_url, {"role_label": "", "joined_how": "added"})
    assert response.status_code == 200 and "fait déjà partie" in response.content.decode()


def test_recording_and_withdrawing_an_objection_through_the_pages(client):
    person = PersonFactory()
    actor = staff(person)
    member = add_professional(person, actor, ProfessionalFactory(profession="physiotherapist"))
    client.force_login(actor.user)
    url = reverse("circle:objection_create", args=[person.pk]) + f"?membre={member.pk}"
    response = client.post(
        url,
        {
            "scope": "restrict",
            "categories": ["plan"],
            "own_actions_only": "on",
            "expressed_on": TODAY().isoformat(),
            "expressed_how": "oral",
            "expressed_by": "person",
        },
    )
    assert response.status_code == 302
    recorded = Objection.objects.get(person=person)
    assert recorded.categories == ["plan"] and recorded.own_actions_only
    response = client.post(
        reverse("circle:objection_withdraw", args=[recorded.pk]),
        {"withdrawn_on": TODAY().isoformat(), "note": ""},
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.withdrawn_on == TODAY()


def test_episode_page_shows_the_circle_and_the_notices_to_staff(client):
    person, actor, physio_membership, _ = benali_like()
    from appui.care.models import CareEpisode

    episode = CareEpisode.objects.get(person=person)
    client.force_login(actor.user)
    html = client.get(reverse("care:episode_detail", args=[episode.pk])).content.decode()
    assert "Cercle de soins" in html and "s&#x27;oppose au partage avec" in html


def test_every_form_page_of_the_circle_renders_for_the_staff(client):
    person, actor, _, member = benali_like()
    organisation = OrganisationFactory(name="SSIAD de la Pévèle-Scarpe")
    colleague = staff(person, Role.CASE_MANAGER)
    client.force_login(actor.user)
    recorded = Objection.objects.get(person=person)
    pages = [
        reverse("circle:member_add_staff", args=[person.pk]),
        reverse("circle:member_add_carer", args=[person.pk]),
        reverse("circle:member_search_organisation", args=[person.pk]) + "?q=pévèle",
        reverse("circle:member_add_organisation", args=[person.pk, organisation.pk]),
        reverse("circle:member_end", args=[member.pk]),
        reverse("circle:member_invite", args=[member.pk]),
        reverse("circle:objection_create", args=[person.pk]) + "?medecin=1",
        reverse("circle:objection_withdraw", args=[recorded.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302), url
    search = client.get(pages[2])
    assert list(search.context["object_list"]) == [organisation]
    response = client.post(pages[0], {"user": colleague.user.pk, "joined_how": "added"})
    assert response.status_code == 302
    assert CareCircleMember.objects.filter(circle__person=person, user=colleague.user).exists()
