import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from appui.core.enums import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Mot-de-passe-solide-1"
LOGIN = "accounts:login"


def log_in(client, email, password=PASSWORD):
    return client.post(reverse(LOGIN), {"username": email, "password": password})


def test_login_by_email_case_insensitive_and_logout(client):
    membership = MembershipFactory(role=Role.ASSISTANT, user__email="lea@appui.test")
    response = log_in(client, "LEA@appui.test")
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    home = client.get(reverse("core:home"))
    assert membership.organisation.name in home.content.decode()
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("core:home")).status_code == 302


def test_wrong_password_gives_a_french_message(client):
    UserFactory(email="lea@appui.test")
    response = log_in(client, "lea@appui.test", "faux")
    assert response.status_code == 200
    assert "Adresse électronique ou mot de passe incorrect" in response.content.decode()


def test_five_wrong_passwords_lock_the_account(client):
    MembershipFactory(user__email="cible@appui.test")
    for _ in range(5):
        log_in(client, "cible@appui.test", "mauvais-mot-de-passe")
    locked = log_in(client, "cible@appui.test")  # even the right password is refused now
    assert locked.status_code == 429
    assert "Compte temporairement bloqué" in locked.content.decode()
    assert client.get(reverse("core:home")).status_code == 302
    # another account is not affected
    MembershipFactory(user__email="autre@appui.test")
    assert log_in(client, "autre@appui.test").status_code == 302


def test_password_reset_by_email(client):
    UserFactory(email="oubli@appui.test")
    response = client.post(reverse("accounts:password_reset"), {"email": "oubli@appui.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "réinitialisation" in mail.outbox[0].subject
    link = re.search(r"https?://[^/]+(/\S+)", body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new = "Un-nouveau-mot-de-passe-2026"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert log_in(client, "oubli@appui.test", new).status_code == 302


def test_unknown_email_reset_reveals_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@appui.test"})
    assert response.status_code == 302 and len(mail.outbox) == 0


def test_session_expires_after_inactivity(client, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 3600
    MembershipFactory(user__email="inactif@appui.test")
    log_in(client, "inactif@appui.test")
    assert client.get(reverse("core:home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and reverse(LOGIN) in response["Location"]


def test_role_switcher_changes_the_active_membership(client):
    user = UserFactory()
    dac = OrganisationFactory(dac=True)
    first = MembershipFactory(user=user, organisation=dac, role=Role.DIRECTOR)
    second = MembershipFactory(user=user, organisation=dac, role=Role.COORDINATOR)
    client.force_login(user)
    # the export of the indicators is the director's (oldest membership), not the coordinator's
    assert client.get(reverse("reporting:dashboard_csv")).status_code == 200
    client.post(reverse("accounts:switch"), {"membership": second.pk})
    assert client.get(reverse("reporting:dashboard_csv")).status_code == 403
    stranger = MembershipFactory()
    assert client.post(reverse("accounts:switch"), {"membership": stranger.pk}).status_code == 404
    assert first.pk != second.pk


def test_second_factor_enforced_for_dac_staff_when_required(client, settings):
    settings.APPUI_REQUIRE_2FA = True
    membership = MembershipFactory(role=Role.COORDINATOR)
    client.force_login(membership.user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))
    setup = client.get(response["Location"])
    assert "Scannez ce code" in setup.content.decode()
    device = TOTPDevice.objects.get(user=membership.user)
    wrong = client.post(reverse("accounts:second_factor"), {"token": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a failure throttles the next attempts for a few seconds
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    confirmed = client.post(reverse("accounts:second_factor"), {"token": token, "next": "/"})
    assert confirmed.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_second_factor_not_asked_from_partners(client, settings):
    settings.APPUI_REQUIRE_2FA = True
    membership = MembershipFactory(role=Role.PARTNER)
    client.force_login(membership.user)
    assert client.get(reverse("core:home")).status_code == 200


def test_health_endpoint(client):
    response = client.get("/sante/")
    assert response.status_code == 200
    payload = response.json()
    assert payload["database"] == "ok" and payload["version"]


def test_production_profile_is_hardened(monkeypatch):
    import importlib

    import appui.settings as base

    monkeypatch.setenv("APPUI_PROFILE", "production")
    monkeypatch.setenv("APPUI_SECRET_KEY", "x" * 50)
    try:
        prod = importlib.reload(base)
        assert prod.DEBUG is False
        assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
        assert prod.SECURE_HSTS_SECONDS >= 31536000
        assert prod.APPUI_REQUIRE_2FA is True
        assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
        assert "csp.middleware.CSPMiddleware" in prod.MIDDLEWARE
        monkeypatch.delenv("APPUI_SECRET_KEY")
        with pytest.raises(RuntimeError):
            importlib.reload(base)
    finally:
        monkeypatch.undo()
        importlib.reload(base)


def test_pages_carry_a_content_security_policy_with_nonce(client):
    MembershipFactory(user__email="csp@appui.test")
    log_in(client, "csp@appui.test")
    response = client.get(reverse("core:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()


def test_login_is_recorded_as_the_users_own_write(client):
    from appui.core.models import AccessLog

    membership = MembershipFactory(user__email="trace@appui.test")
    log_in(client, "trace@appui.test")
    rows = AccessLog.objects.filter(
        object_type="accounts.user", object_id=str(membership.user.pk), action="update"
    )
    login_row = next(r for r in rows if "last_login" in r.fields)
    assert login_row.user == membership.user
