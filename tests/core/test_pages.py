import pytest
from django.test import RequestFactory
from django.urls import reverse

from appui.core import views
from appui.core.enums import Role

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_french_dsfr_404(client, login):
    login(Role.ASSISTANT)
    response = client.get("/cette-page-n-existe-pas/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr"' in page and "Page non trouvée" in page and "fr-header" in page


def test_forbidden_page_is_a_french_dsfr_403(client, login):
    login(Role.PARTNER)
    response = client.get(reverse("core:access_log"))
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


def test_server_error_page_needs_no_context():
    response = views.error_500(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="fr"' in page and "Erreur inattendue" in page


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("territory:directory"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_about_page_is_public(client):
    assert "journal des accès" in client.get(reverse("core:about")).content.decode()


def test_home_page_has_bounded_queries(client, login, django_assert_max_num_queries):
    login(Role.DIRECTOR)
    # +1: the header's notification bell counts the unread notices.
    with django_assert_max_num_queries(9):
        client.get(reverse("core:home"))


def test_technical_admin_is_for_admin_staff_only(client, login):
    login(Role.DIRECTOR)
    assert client.get("/django-admin/").status_code == 302  # not staff: sent to the admin login


def test_every_stylesheet_and_script_of_the_layout_is_served(client, login):
    import re

    from django.contrib.staticfiles import finders

    login(Role.DIRECTOR)
    page = client.get(reverse("core:home")).content.decode()
    assets = re.findall(r'(?:href|src)="/static/([^"]+)"', page)
    assert any(a.endswith("appui.css") for a in assets)
    for asset in assets:
        assert finders.find(asset), f"fichier statique introuvable : {asset}"
