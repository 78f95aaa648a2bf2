import re

import pytest
from django.core import mail
from django.urls import reverse

from appui.accounts.models import Membership, User
from appui.core.enums import Role
from appui.core.models import Event
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_admin_invites_a_new_user_who_chooses_a_password(
    client, login, django_capture_on_commit_callbacks
):
    admin = login(Role.ADMIN)
    organisation = OrganisationFactory(name="Maison de santé des Deux Rivières")
    data = {
        "email": "Nouvelle@Appui.test",
        "first_name": "Inès",
        "last_name": "Roussel",
        "organisation": organisation.pk,
        "role": Role.PARTNER,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:create"), data)
    user = User.objects.get(email="nouvelle@appui.test")
    assert response.status_code == 302
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.PARTNER
    assert Event.objects.filter(
        subject_type="accounts.user", subject_id=str(user.pk), verb="invited", actor=admin.user
    ).exists()
    assert len(mail.outbox) == 1 and "votre compte a été créé" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    password = "Un-mot-de-passe-choisi-2026"
    client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert (
        client.post(
            reverse("accounts:login"), {"username": user.email, "password": password}
        ).status_code
        == 302
    )


def test_invitation_refuses_an_existing_email_and_saves_nothing(client, login):
    login(Role.ADMIN)
    existing = MembershipFactory().user
    organisation = OrganisationFactory()
    response = client.post(
        reverse("accounts:create"),
        {
            "email": existing.email.upper(),
            "first_name": "A",
            "last_name": "B",
            "organisation": organisation.pk,
            "role": Role.ASSISTANT,
        },
    )
    assert "Un compte existe déjà avec cette adresse." in response.content.decode()
    assert User.objects.filter(email__iexact=existing.email).count() == 1


def test_membership_is_ended_with_a_reason_never_deleted(client, login):
    login(Role.ADMIN)
    target = MembershipFactory(role=Role.COORDINATOR)
    url = reverse("accounts:membership_end", args=[target.user.pk, target.pk])
    empty = client.post(url, {"reason": ""})
    assert "Ce champ est obligatoire" in empty.content.decode()
    client.post(url, {"reason": "Départ de la structure"})
    target.refresh_from_db()
    assert (
        not target.is_active and target.end_date and target.end_reason == "Départ de la structure"
    )
    assert Event.objects.filter(
        subject_type="accounts.membership", verb="membership_ended"
    ).exists()
    # the user can no longer act in that role
    client.logout()
    client.force_login(target.user)
    assert client.get(reverse("intake:queue")).status_code == 403


def test_admin_adds_a_membership(client, login):
    login(Role.ADMIN)
    user = MembershipFactory(role=Role.COORDINATOR).user
    other = OrganisationFactory(dac=True)
    client.post(
        reverse("accounts:detail", args=[user.pk]),
        {"organisation": other.pk, "role": Role.CASE_MANAGER},
    )
    assert user.memberships.filter(
        organisation=other, role=Role.CASE_MANAGER, is_active=True
    ).exists()


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COORDINATOR, Role.PARTNER])
def test_only_admins_manage_accounts(client, login, role):
    membership = login(role)
    colleague = MembershipFactory(organisation=membership.organisation)
    assert client.get(reverse("accounts:create")).status_code == 403
    url = reverse("accounts:membership_end", args=[colleague.user.pk, colleague.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active
