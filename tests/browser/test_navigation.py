import pytest
from playwright.sync_api import expect

from appui.core.enums import Role
from tests.browser.conftest import log_in, screenshot
from tests.factories import MembershipFactory

EXPECTED_NAVIGATION = {
    Role.ASSISTANT: ["Demandes", "Personnes", "Accompagnements", "Répertoire"],
    Role.COORDINATOR: ["Demandes", "Personnes", "Accompagnements", "Répertoire", "Pilotage"],
    Role.CASE_MANAGER: ["Demandes", "Personnes", "Accompagnements", "Répertoire", "Pilotage"],
    Role.SUPPORT_PHYSICIAN: ["Demandes", "Personnes", "Accompagnements", "Répertoire", "Pilotage"],
    Role.DIRECTOR: [
        "Demandes",
        "Personnes",
        "Accompagnements",
        "Répertoire",
        "Pilotage",
        "Administration",
    ],
    Role.PARTNER: ["Demandes", "Personnes", "Accompagnements", "Répertoire"],
    Role.REGIONAL_PILOT: ["Répertoire", "Pilotage"],
    Role.ADMIN: ["Répertoire", "Pilotage", "Administration"],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(Role))
def test_each_role_logs_in_and_sees_its_navigation(page, role):
    membership = MembershipFactory(role=role, user__email=f"{role}@appui.test")
    log_in(page, f"{role}@appui.test", "Mot-de-passe-solide-1")
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "fr"
    navigation = page.get_by_role("navigation", name="Menu principal")
    labels = [label.strip() for label in navigation.get_by_role("link").all_inner_texts()]
    assert labels == EXPECTED_NAVIGATION[role]
    assert membership.organisation.name in page.locator("header").inner_text()
    screenshot(page, f"accueil-{role}")
    # every section of the menu opens
    for label in labels:
        page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name=label
        ).click()
        # Wait for the section's page (the click starts a navigation; asserting at once races it).
        expect(
            page.get_by_role("navigation", name="Menu principal").locator("[aria-current='page']")
        ).to_have_text(label)
        expect(page.locator("h1")).to_have_count(1)
        assert "Erreur" not in page.locator("h1").inner_text()


@pytest.mark.django_db(transaction=True)
def test_wrong_password_five_times_locks_the_account_in_the_browser(page):
    MembershipFactory(user__email="verrou@appui.test")
    for _ in range(4):
        log_in(page, "verrou@appui.test", "mauvais")
        expect(page.locator("main")).to_contain_text("mot de passe incorrect")
    log_in(page, "verrou@appui.test", "mauvais")  # the fifth failure locks the account
    expect(page.locator("h1")).to_have_text("Compte temporairement bloqué")
    log_in(page, "verrou@appui.test", "Mot-de-passe-solide-1")  # even the right password now
    expect(page.locator("h1")).to_have_text("Compte temporairement bloqué")
    screenshot(page, "verrouillage")
