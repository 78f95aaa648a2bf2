"""The follow-up in the browser: a coordinator logs a call, plans a home visit and writes its
report, records an unplanned admission with its adverse event and a discharge preparation task,
then takes in hand an alert raised by the hourly computation."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appui.care.alerts import compute_alerts
from appui.care.models import AdverseEvent, Alert, DischargeTask, HomeVisit, HospitalStay
from appui.core.enums import Role
from appui.intake.models import ContactLog
from tests.browser.conftest import log_in, screenshot
from tests.factories import (
    ActionFactory,
    CareEpisodeFactory,
    CarePlanFactory,
    CarePlanVersionFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

PASSWORD = "Mot-de-passe-solide-1"


@pytest.mark.django_db(transaction=True)
def test_coordinator_follows_up_an_accompaniment(page):
    dac = OrganisationFactory(dac=True, name="DAC du Douaisis")
    coordinator = MembershipFactory(
        organisation=dac,
        role=Role.COORDINATOR,
        user__first_name="Inès",
        user__last_name="Lambert",
        user__email="coordination@dac.test",
    )
    today = timezone.localdate()
    person = PersonFactory(dac=dac, birth_name="Benali", first_name="Ahmed", sex="M")
    episode = CareEpisodeFactory(
        person=person,
        referent=coordinator.user,
        opened_on=today - datetime.timedelta(days=20),
        level="short_term",
    )
    version = CarePlanVersionFactory(
        plan=CarePlanFactory(episode=episode),
        number=1,
        status="active",
        review_on=today + datetime.timedelta(days=150),
    )
    ActionFactory(
        plan_version=version,
        kind="support",
        description="Dépôt du dossier APA",
        due_on=today - datetime.timedelta(days=2),
        responsible_label="Mme Benali",
    )

    log_in(page, "coordination@dac.test", PASSWORD)
    page.goto(f"/accompagnements/{episode.pk}/suivi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("M. Ahmed BENALI")
    main = page.locator("main")
    expect(main).to_contain_text("Aucun contact noté.")

    # A call.
    page.get_by_role("link", name="Ajouter un contact").click()
    page.get_by_label("Type").select_option(label="Appel passé")
    page.get_by_label("Avec qui").fill("Mme Benali, épouse")
    page.get_by_label("Objet").fill("Nouvelles après la sortie")
    page.get_by_label("Suite donnée").fill("Essoufflement stable ; l'infirmière passe chaque jour.")
    page.get_by_label("Durée (minutes)").fill("12")
    screenshot(page, "suivi-1-ajout-contact")
    page.get_by_role("button", name="Ajouter le contact").click()
    expect(page.get_by_role("status").first).to_contain_text("Contact ajouté au journal")
    expect(
        page.locator("#contacts ~ div table, section[aria-labelledby=contacts]")
    ).to_contain_text("Nouvelles après la sortie")

    # A home visit, planned then done.
    page.get_by_role("link", name="Planifier une visite").click()
    when = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=10, minute=30)
    page.get_by_label("Date et heure").fill(when.strftime("%Y-%m-%dT%H:%M"))
    expect(page.get_by_label("Par", exact=True)).to_have_value(str(coordinator.user.pk))
    page.get_by_label("Objet").fill("Évaluation au domicile avec l'aidante")
    page.get_by_role("button", name="Planifier").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Visite planifiée le {when:%d/%m/%Y à %H:%M}"
    )
    page.get_by_role("link", name="Compte rendu").click()
    page.get_by_label("Compte rendu").fill(
        "M. Benali se déplace difficilement ; Mme Benali est épuisée. Accueil de jour à proposer."
    )
    page.get_by_label("Durée (minutes)").fill("75")
    screenshot(page, "suivi-2-compte-rendu-visite")
    page.get_by_role("button", name="Enregistrer le compte rendu").click()
    expect(page.get_by_role("status").first).to_contain_text("Visite réalisée")
    expect(main).to_contain_text("Aucune visite prévue.")
    expect(main).to_contain_text("Visite à domicile")
    expect(main).to_contain_text("Accueil de jour à proposer.")

    # An unplanned admission, recorded with its adverse event.
    page.get_by_role("link", name="Enregistrer une hospitalisation").click()
    expect(page.get_by_label("Non programmée (urgence, réhospitalisation…)")).to_be_checked()
    page.get_by_label("Établissement (s'il n'est pas dans le répertoire)").fill(
        "Centre hospitalier de Douai"
    )
    page.get_by_label("Service").fill("Pneumologie")
    page.get_by_label("Entrée le").fill(today.isoformat())
    page.get_by_label("Sortie prévue le").fill((today + datetime.timedelta(days=5)).isoformat())
    page.get_by_label("Motif (Optionnel)").fill("Décompensation respiratoire")
    expect(
        page.get_by_label("Enregistrer aussi l'événement indésirable « hospitalisation non")
    ).to_be_checked()
    page.get_by_label("Description de l'événement").fill(
        "Troisième hospitalisation non programmée en six mois."
    )
    screenshot(page, "suivi-3-hospitalisation")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "avec l'événement indésirable « hospitalisation non programmée »"
    )
    expect(main).to_contain_text("Hospitalisation en cours")
    events = page.locator("section[aria-labelledby=evenements]")
    expect(events).to_contain_text("Hospitalisation non programmée")
    expect(events).to_contain_text("Troisième hospitalisation non programmée en six mois.")

    # The preparation of the discharge.
    page.get_by_role("link", name="Ajouter une action de préparation").click()
    page.get_by_label("Action").fill("Infirmière libérale prévenue du retour")
    page.get_by_label("Qui").fill("Inès Lambert")
    page.get_by_label("Pour le").fill((today + datetime.timedelta(days=4)).isoformat())
    page.get_by_role("button", name="Ajouter l'action").click()
    stays = page.locator("section[aria-labelledby=hospitalisations]")
    expect(stays).to_contain_text("Infirmière libérale prévenue du retour")
    page.get_by_role("button", name="Faite").click()
    expect(page.get_by_role("status").first).to_contain_text("faite")
    expect(stays).to_contain_text(f"le {today:%d/%m/%Y}")
    screenshot(page, "suivi-4-onglet-suivi")

    # The hourly computation raises the overdue action; the coordinator takes it in hand.
    summary = compute_alerts()
    assert summary.raised_total == 1
    page.goto(f"/accompagnements/{episode.pk}/")
    block = page.locator("section[aria-labelledby=bloc-alertes]")
    due = today - datetime.timedelta(days=2)
    expect(block).to_contain_text(
        f"Action « Dépôt du dossier APA » non réalisée à l'échéance du {due:%d/%m/%Y}"
    )
    suivi = page.locator("section[aria-labelledby=bloc-suivi]")
    expect(suivi).to_contain_text("En cours depuis le")
    expect(suivi).to_contain_text("1 enregistré, dont 1 sans action corrective faite")
    screenshot(page, "suivi-5-dossier-alerte")
    block.get_by_label("Ce qui est fait ou prévu").fill(
        "Dossier APA rempli avec Mme Benali, envoi au conseil départemental lundi."
    )
    block.get_by_role("button", name="Prendre en compte").click()
    expect(page.get_by_role("status").first).to_contain_text("Alerte prise en compte")
    expect(block).to_contain_text("Prise en compte le")
    expect(block).to_contain_text("par Inès Lambert")

    page.goto("/accompagnements/alertes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alertes du suivi")
    expect(page.locator("main")).to_contain_text("Dépôt du dossier APA")
    expect(page.locator("main")).to_contain_text("Prise en compte")
    screenshot(page, "suivi-6-liste-alertes")

    assert ContactLog.objects.filter(person=person).count() == 2
    visit = HomeVisit.objects.get()
    assert visit.status == "done" and visit.contact.kind == "visit"
    stay = HospitalStay.objects.get()
    assert AdverseEvent.objects.get().hospital_stay == stay
    assert DischargeTask.objects.get().done_on == today
    alert = Alert.objects.get()
    assert alert.status == "acknowledged" and alert.acknowledged_by == coordinator.user
