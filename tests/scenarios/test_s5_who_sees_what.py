"""S5 — Who sees what.

M. Ahmed Benali is accompanied by the DAC; his PPCS is in force (the demo's accompaniment, built
through the services at the dates it happened). The coordinator builds his care circle in the
browser: the liberal nurse, the physiotherapist, the SSIAD (the structure and its nurse
coordinator), the conseil départemental's APA evaluator and his wife; Dr Morel, his GP, is in it
already. M. Benali objects to sharing with the physiotherapist anything beyond the exercise plan.

Then each of them logs in: the physiotherapist sees only his exercise plan, on the page and in the
PDF; the nurse writes in the liaison notebook and Dr Morel gets the notification; the APA
evaluator sees the social and autonomy parts and the PPCS actions, and no medical detail on any
page or PDF. Finally M. Benali asks who accessed his file: the director exports the access log,
which lists every access made during the scenario, in order."""

import io
import re
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from appui.care.models import Assessment, CareEpisode, Meeting
from appui.circle import demo as circle_demo
from appui.circle.models import CareCircleMember, LiaisonNote, Notification, Objection
from appui.core.audit import audit_context
from appui.core.models import AccessLog

from .steps import main, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

# What only the medical category shows of M. Benali (his diagnoses, the health needs found at
# the assessment, the situation summary, what the nurse writes).
MEDICAL = (
    "BPCO",
    "insuffisance cardiaque",
    "Décompensations répétées",
    "Neuf médicaments par jour",
    "Œdèmes des chevilles",
)
EXERCISE = "Plan d'exercices de réentraînement à l'effort"
OTHER_ACTIONS = ("Passage infirmier quotidien", "Dépôt du dossier APA", "Portage de repas")
NOTE = (
    "Œdèmes des chevilles en augmentation depuis trois jours, +2 kg sur la semaine. "
    "Pouvez-vous le voir cette semaine ?"
)


@pytest.fixture
def benali(territory):
    """The demo accompaniments (M. Benali's PPCS in force, with the physiotherapist's exercise
    plan) and the partners' accounts; his care circle is left for the coordinator to build."""
    from appui.care import demo as care_demo
    from appui.intake import demo as intake_demo
    from appui.persons import demo as persons_demo

    with audit_context(user_label="seed_demo"):
        persons_demo.seed(StringIO())
        intake_demo.seed(StringIO())
        care_demo.seed(StringIO())
        circle_demo._accounts()
    return CareEpisode.objects.select_related("person").get(
        person__birth_name="BENALI", person__first_name="Ahmed"
    )


def pdf_text(page, url: str) -> str:
    response = page.request.get(url)
    assert response.status == 200, url
    assert response.headers["content-type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)


def add_professional(page, name: str, role: str) -> None:
    page.get_by_role("link", name="Ajouter un professionnel").click()
    page.get_by_role("searchbox").fill(name.split()[-1])
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name=f"Ajouter {name}").click()
    page.get_by_label("Rôle dans la situation").fill(role)
    page.get_by_role("button", name="Ajouter au cercle").click()
    expect(page.get_by_role("status").first).to_contain_text("ajouté·e au cercle de soins")


def person_pages(episode) -> list[str]:
    """Every page of M. Benali a circle member can open."""
    person = episode.person
    urls = [
        reverse("persons:detail", args=[person.pk]),
        reverse("care:episode_detail", args=[episode.pk]),
        reverse("care:assessment_list", args=[episode.pk]),
        reverse("care:episode_meetings", args=[episode.pk]),
        reverse("care:plan_detail", args=[episode.pk]),
        reverse("care:followup", args=[episode.pk]),
        reverse("circle:circle", args=[person.pk]),
        reverse("circle:notebook", args=[person.pk]),
    ]
    urls += [
        reverse("care:assessment_detail", args=[episode.pk, pk])
        for pk in Assessment.objects.filter(episode=episode).values_list("pk", flat=True)
    ]
    return urls


def test_s5_who_sees_what(page, benali):
    episode = benali
    person = episode.person
    start = timezone.now()

    # --- The coordinator builds the care circle --------------------------------------------------
    sign_in(page, "coordination")
    page.goto(reverse("care:episode_detail", args=[episode.pk]))
    page.get_by_role("link", name="Cercle de soins").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("BENALI")
    expect(main(page)).to_contain_text("Médecin traitant")
    expect(main(page)).to_contain_text("Claire Morel")
    add_professional(page, "Mme Sandrine Lefebvre", "Infirmière libérale, passage quotidien")
    add_professional(page, "M. Thomas Vasseur", "Kinésithérapeute, plan d'exercices")
    add_professional(page, "Mme Émilie Caron", "Infirmière coordinatrice du SSIAD")
    add_professional(page, "M. Karim Haddad", "Évaluateur APA du conseil départemental")
    page.get_by_role("link", name="Ajouter une structure").click()
    page.get_by_role("searchbox").fill("SSIAD de la Pévèle")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Ajouter SSIAD de la Pévèle-Scarpe").click()
    page.get_by_label("Rôle dans la situation").fill("Toilette et soins d'hygiène")
    page.get_by_role("button", name="Ajouter au cercle").click()
    page.get_by_role("link", name="Ajouter un proche").click()
    page.get_by_label("Proche").select_option(index=1)
    page.get_by_label("Rôle dans la situation").fill("Épouse, aidante principale")
    page.get_by_role("button", name="Ajouter au cercle").click()
    expect(page.get_by_role("status").first).to_contain_text("ajouté·e au cercle de soins")
    members = CareCircleMember.objects.filter(circle__person=person, end_date__isnull=True)
    assert members.count() == 6
    assert members.filter(carer__first_name="Fatima").exists()

    # M. Benali objects: the physiotherapist gets only the exercise plan he carries.
    page.get_by_role("link", name="Opposition au partage avec M. Thomas Vasseur").click()
    page.get_by_text("Limiter le partage à certaines catégories").click()
    page.get_by_text("Plan d'accompagnement (PPCS)").click()
    page.get_by_text("Du PPCS, seulement les actions dont ce membre est responsable").click()
    page.get_by_label("Exprimée comment").select_option(label="Lors d'une visite à domicile")
    page.get_by_role("button", name="Enregistrer l'opposition").click()
    expect(page.get_by_role("status").first).to_contain_text("s'applique dès maintenant")
    expect(main(page)).to_contain_text("M. Benali s'oppose au partage avec M. Thomas Vasseur")
    screenshot(page, "s5-1-cercle")
    objection = Objection.objects.get(person=person)
    assert objection.categories == ["plan"] and objection.own_actions_only
    assert objection.recorded_by.email.startswith("coordination@")

    # --- The physiotherapist sees only his exercise plan ----------------------------------------
    sign_in(page, "thomas.vasseur")
    page.goto(reverse("persons:list"))
    page.get_by_role("link", name=re.compile("BENALI")).first.click()
    page.goto(reverse("care:plan_detail", args=[episode.pk]))
    expect(main(page)).to_contain_text(EXERCISE)
    expect(main(page)).to_contain_text("Accès restreint")
    for text in (*OTHER_ACTIONS, *MEDICAL):
        expect(main(page)).not_to_contain_text(text)
    screenshot(page, "s5-2-kine-ppcs")
    version = episode.care_plan.versions.order_by("-number").first()
    text = pdf_text(page, reverse("care:plan_pdf", args=[episode.pk, version.number]))
    assert "Plan d'exercices" in text.replace("\n", " ")
    for other in (*OTHER_ACTIONS, *MEDICAL):
        assert other not in text, other

    # --- The nurse writes in the liaison notebook; Dr Morel is notified ------------------------
    sign_in(page, "sandrine.lefebvre")
    page.goto(reverse("circle:notebook", args=[person.pk]))
    page.get_by_label("Catégorie").select_option(label="Médical")
    page.get_by_role("textbox", name="Note").fill(NOTE)
    page.get_by_role("button", name="Ajouter la note").click()
    expect(main(page)).to_contain_text("Œdèmes des chevilles")
    note = LiaisonNote.objects.get(person=person)
    assert note.category == "medical" and note.author.email.startswith("sandrine.lefebvre@")
    assert Notification.objects.filter(
        user__email__startswith="dr.morel@", url__contains=f"/{person.pk}/"
    ).exists()

    sign_in(page, "dr.morel")
    expect(page.locator("#notifications-non-lues")).to_contain_text("1")
    page.locator("#mes-notifications").click()
    page.get_by_role("link", name=re.compile("cahier de liaison")).first.click()
    expect(main(page)).to_contain_text("Œdèmes des chevilles")
    screenshot(page, "s5-3-medecin-note")

    # --- The APA evaluator: social, autonomy and the PPCS actions, no medical detail ----------
    sign_in(page, "karim.haddad")
    seen = ""
    for url in person_pages(episode):
        response = page.goto(url)
        assert response.status == 200, url
        seen += main(page).inner_text() + "\n"
    screenshot(page, "s5-4-evaluateur-apa")
    for text in MEDICAL:
        assert text not in seen, text
    for text in ("Épouse aidante épuisée", "Allocation personnalisée d'autonomie", "GIR 3"):
        assert text in seen, text
    assert "Dépôt du dossier APA" in seen and EXERCISE in seen
    pdfs = [reverse("care:plan_pdf", args=[episode.pk, version.number])]
    pdfs += [
        reverse("care:meeting_minutes", args=[pk]) + f"?episode={episode.pk}"
        for pk in Meeting.objects.filter(situations__episode=episode).values_list("pk", flat=True)
    ]
    for url in pdfs:
        response = page.request.get(url)
        assert response.status == 200, url
        body = response.body()
        text = (
            "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
            if body.startswith(b"%PDF")
            else body.decode()
        )
        for medical in MEDICAL:
            assert medical not in text, (url, medical)

    # --- M. Benali asks who accessed his file ----------------------------------------------------
    sign_in(page, "direction")
    page.goto(reverse("persons:detail", args=[person.pk]))
    page.get_by_role("link", name="Qui a consulté ce dossier").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Qui a consulté")
    screenshot(page, "s5-5-journal")
    accesses = list(
        AccessLog.objects.filter(person_id=person.pk, at__gte=start).order_by("at", "id")
    )
    text = pdf_text(page, reverse("circle:access_log_pdf", args=[person.pk]))
    flat = text.replace("\n", " ")
    stamps = re.findall(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", flat)
    expected = [timezone.localtime(a.at).strftime("%d/%m/%Y %H:%M:%S") for a in accesses]
    # Every access of the scenario is in the PDF, in the order it happened (the export lists
    # the whole file's history, so the scenario's accesses are its last rows).
    assert len(expected) > 50
    assert stamps[-len(expected) :] == expected
    for who in ("Camille Dubois", "Thomas Vasseur", "Sandrine Lefebvre", "Claire Morel"):
        assert who in flat, who
    assert "Karim Haddad" in flat and "Nathalie Girard" in flat
