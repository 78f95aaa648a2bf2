"""Inviting an external professional of the circle: one-time link, account tied to the RPPS
record and the structure, nothing about the person in the e-mail."""

import datetime
import hashlib
import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from appui.accounts.models import Membership, User
from appui.circle import services
from appui.circle.models import Invitation
from appui.core import sharing
from appui.core.enums import CircleRelationship, Role
from appui.core.models import Event
from tests.factories import (
    CareCircleMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PracticePlaceFactory,
    ProfessionalFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-solide-2026"


@pytest.fixture
def setup():
    person = PersonFactory(birth_name="Benali")
    actor = MembershipFactory(organisation=person.dac, role=Role.COORDINATOR)
    practice = OrganisationFactory(kind="practice", name="Cabinet des Tilleuls")
    professional = ProfessionalFactory(
        first_name="Thomas", last_name="Vasseur", profession="physiotherapist"
    )
    PracticePlaceFactory(professional=professional, organisation=practice)
    member = CareCircleMemberFactory(circle__person=person, professional=professional)
    return person, actor, practice, professional, member


def invite(setup, django_capture_on_commit_callbacks, email="t.vasseur@kine.test"):
    person, actor, practice, professional, member = setup
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invite(member, email, practice, actor=actor)
    return invitation, token


def test_invitation_stores_only_the_hash_and_the_mail_says_nothing_of_the_person(
    setup, django_capture_on_commit_callbacks
):
    person, actor, practice, professional, member = setup
    invitation, token = invite(setup, django_capture_on_commit_callbacks)
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get(pk=invitation.pk))
    assert invitation.expires_at - timezone.now() > datetime.timedelta(days=13, hours=23)
    [message] = mail.outbox
    assert message.to == ["t.vasseur@kine.test"]
    link = settings.APPUI_BASE_URL.rstrip("/") + reverse("circle:invitation_accept", args=[token])
    assert link in message.body
    assert person.dac.name in message.body
    assert "Benali".lower() not in (message.subject + message.body).lower()
    assert Event.objects.filter(verb="circle_invitation_sent", subject_id=str(person.pk)).exists()


def test_accepting_creates_the_partner_account_once_and_logs_in(
    setup, client, django_capture_on_commit_callbacks
):
    person, actor, practice, professional, member = setup
    invitation, token = invite(setup, django_capture_on_commit_callbacks)
    url = reverse("circle:invitation_accept", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["last_name"] == "Vasseur"
    response = client.post(
        url,
        {
            "first_name": "Thomas",
            "last_name": "Vasseur",
            "password1": "court",
            "password2": "court",
        },
    )
    assert (
        response.status_code == 200
        and not User.objects.filter(email="t.vasseur@kine.test").exists()
    )
    response = client.post(
        url,
        {
            "first_name": "Thomas",
            "last_name": "Vasseur",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response.url == reverse("core:home")
    user = User.objects.get(email="t.vasseur@kine.test")
    assert user.check_password(PASSWORD)
    professional.refresh_from_db()
    assert professional.user == user
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.PARTNER and membership.organisation == practice
    invitation.refresh_from_db()
    assert invitation.accepted_at and invitation.user == user
    # Logged in, and in the person's circle through their professional record.
    assert client.get(reverse("circle:circle", args=[person.pk])).status_code == 200
    assert sharing.access(membership, person).relationship == CircleRelationship.MEMBER
    # One time only.
    client.logout()
    response = client.get(url)
    assert response.status_code == 404 and "déjà servi" in response.content.decode()


def test_unknown_expired_and_revoked_links_are_refused_in_french(
    setup, client, django_capture_on_commit_callbacks
):
    response = client.get(reverse("circle:invitation_accept", args=["nimporte-quoi"]))
    assert response.status_code == 404 and "pas valide" in response.content.decode()
    first, first_token = invite(setup, django_capture_on_commit_callbacks)
    second, second_token = invite(setup, django_capture_on_commit_callbacks, "autre@kine.test")
    response = client.get(reverse("circle:invitation_accept", args=[first_token]))
    assert "annulée ou remplacée" in response.content.decode()
    Invitation.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    response = client.get(reverse("circle:invitation_accept", args=[second_token]))
    assert response.status_code == 410 and "expiré" in response.content.decode()
    with pytest.raises(ValidationError):
        services.accept_invitation(second_token, first_name="T", last_name="V", password=PASSWORD)


def test_invite_refuses_members_with_an_account_and_known_emails(
    setup, django_capture_on_commit_callbacks
):
    person, actor, practice, professional, member = setup
    existing = MembershipFactory().user
    with pytest.raises(ValidationError) as error:
        services.invite(member, existing.email, practice, actor=actor)
    assert "email" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.invite(member, "x@kine.test", person.dac, actor=actor)
    assert "organisation" in error.value.error_dict
    professional.user = existing
    professional.save()
    member.professional.refresh_from_db()
    with pytest.raises(ValidationError, match="déjà un compte"):
        services.invite(member, "x@kine.test", practice, actor=actor)


def test_invite_page_defaults_to_the_practice_place(setup, client):
    person, actor, practice, professional, member = setup
    client.force_login(actor.user)
    url = reverse("circle:member_invite", args=[member.pk])
    response = client.get(url)
    assert response.context["form"].initial["organisation"] == str(practice.pk)
    response = client.post(url, {"email": "t.vasseur@kine.test", "organisation": str(practice.pk)})
    assert response.status_code == 302
    assert Invitation.objects.get().organisation == practice
    other = OrganisationFactory(name="Centre de rééducation du Hainaut")
    response = client.post(
        url, {"email": "t.vasseur@kine.test", "organisation": "", "other_organisation": other.name}
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(revoked_at__isnull=True).get().organisation == other
    assert re.search(r"invitation", Event.objects.last().verb)
