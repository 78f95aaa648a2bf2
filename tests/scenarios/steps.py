"""Steps shared by the journeys, written the way a user goes through the pages: open a page from
the menu or a button, type, choose, save. Each step waits for what the user would see next."""

import re

from playwright.sync_api import expect

from appui.core.models import Event
from appui.territory.demo import DEMO_PASSWORD, DOMAIN
from tests.browser.conftest import log_in, screenshot  # noqa: F401  (used by the journeys)


def email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def sign_in(page, local: str) -> None:
    """Log in with a demo account (`accueil`, `coordination`, `gestion-de-cas`…)."""
    page.context.clear_cookies()
    log_in(page, email(local), DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


# --- Finding fields as a user reads them ---------------------------------------------------------


def named(label: str):
    """A field's accessible name starts with its label (then "(Optionnel)", the help text…)."""
    escaped = re.escape(label).replace("/", "\\/")  # Playwright's selector ends a regex at "/"
    return re.compile("^" + escaped + r"(?=$|[ (])")


def textbox(scope, label: str):
    return scope.get_by_role("textbox", name=named(label))


def select(scope, label: str):
    return scope.get_by_role("combobox", name=named(label))


def checkbox(scope, label: str):
    return scope.get_by_role("checkbox", name=named(label))


def radio(scope, label: str):
    return scope.get_by_role("radio", name=label, exact=True)


def flash(page):
    """The confirmation message shown after a save."""
    return page.get_by_role("status").first


def main(page):
    return page.locator("main")


def menu(page, name: str) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name).click()


# --- Persons -------------------------------------------------------------------------------------


def fill_person(
    page,
    *,
    first_names: str,
    sex: str,
    birth_date: str,
    commune: str,
    birth_name: str = "",
    gp: str = "",
    phone: str = "",
    address: str = "",
    lives_alone: bool | None = None,
) -> None:
    """The person form ("Nouvelle personne"): identity traits, address, médecin traitant."""
    if birth_name:
        textbox(page, "Nom de naissance").fill(birth_name)
    textbox(page, "Prénoms de naissance").fill(first_names)
    page.get_by_label("Date de naissance").fill(birth_date)
    page.get_by_text(sex, exact=True).click()
    if address:
        page.get_by_role("textbox", name="Adresse (Optionnel)", exact=True).fill(address)
    textbox(page, "Commune de résidence").fill(commune)
    if phone:
        textbox(page, "Téléphone").fill(phone)
    if lives_alone is not None:
        select(page, "Vit seul·e").select_option("true" if lives_alone else "false")
    if gp:
        page.get_by_role("radio", name=re.compile("^Connu")).check(force=True)
        select(page, "Médecin du répertoire").fill(gp)


def create_person_from_request(page, *, search: str, **traits) -> None:
    """Nobody found by `search` on the request form: "Nouvelle personne", fill the identity and
    save; back on the request being typed, with the new person chosen."""
    search_person(page, search)
    expect(page.locator("#person-results")).to_contain_text("Aucune personne du DAC ne correspond")
    page.get_by_role("button", name="Nouvelle personne").click()
    expect(page.locator("h1")).to_have_text("Nouvelle personne")
    # The name typed in the search box is carried over to the form.
    expect(textbox(page, "Nom de naissance")).to_have_value(search.split()[0])
    fill_person(page, **traits)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("h1")).to_have_text("Nouvelle demande d'appui")
    expect(flash(page)).to_contain_text("identité provisoire")
    expect(page.locator("#person-block .appui-picked")).to_be_visible()


# --- Recording a request -------------------------------------------------------------------------


def open_new_request(page) -> None:
    menu(page, "Demandes")
    expect(page.locator("h1")).to_have_text("Demandes d'appui")
    page.get_by_role("link", name="Nouvelle demande").first.click()
    expect(page.locator("h1")).to_have_text("Nouvelle demande d'appui")


def search_person(page, text: str) -> None:
    page.get_by_label("Rechercher la personne").fill(text)
    expect(page.locator("#person-results")).to_contain_text(text.split()[0], ignore_case=True)


def pick_requester(page, text: str, name: str, kind: str = "Un·e professionnel·le") -> None:
    """A professional or a structure of the directory, found by name, RPPS, FINESS…"""
    radio(page, kind).check(force=True)
    page.get_by_label("Rechercher le demandeur dans le répertoire").fill(text)
    results = page.locator("#requester-results")
    expect(results).to_contain_text(name)
    results.get_by_role("button", name=re.compile(f"^Choisir .*{re.escape(name)}")).click()
    expect(page.locator("#requester-block .appui-picked")).to_contain_text(name)


def check_reasons(page, *labels: str) -> None:
    for label in labels:
        page.get_by_label(label, exact=True).check(force=True)


def answer(page, group_id: str, label: str) -> None:
    """A radio of the request form (`channel`, `urgency`, `person_informed`, `gp_known`…)."""
    page.locator(f"#radio-id_{group_id}").get_by_label(label, exact=True).check(force=True)


def save_request(page) -> None:
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(flash(page)).to_contain_text("enregistrée")
    expect(page.locator("h1")).to_contain_text("Demande ")


# --- The request page ----------------------------------------------------------------------------


def actions(page):
    return page.locator("aside.appui-actions")


def section(page, heading_id: str):
    """A section of the request page: personne, reperage, reponses, contacts, historique…"""
    return page.locator("section", has=page.locator(f"h2#{heading_id}"))


def take_in_analysis(page) -> None:
    actions(page).get_by_role("button", name="Prendre en analyse").click()
    expect(flash(page)).to_contain_text("Demande prise en analyse")


def open_answer_form(page) -> None:
    actions(page).get_by_role("link", name="Répondre").click()
    expect(page.locator("h1")).to_contain_text("Répondre à la demande")


def choose_response(page, label: str) -> None:
    radio(page, label).check(force=True)


def write_summary(page, text: str) -> None:
    page.get_by_role("textbox", name=re.compile(r"^Réponse apportée(?! le)")).fill(text)


def search_resources(page, text: str) -> None:
    textbox(page, "Chercher une ressource du répertoire").fill(text)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("group", name=named("Ressources proposées"))).to_be_visible()


def save_answer(page, label: str) -> None:
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(flash(page)).to_contain_text(f"Réponse enregistrée : {label.lower()}")


def close_request(page, note: str) -> None:
    textbox(actions(page), "Note de clôture").fill(note)
    actions(page).get_by_role("button", name="Clôturer la demande").click()
    expect(flash(page)).to_contain_text("Demande clôturée")


# --- Stored outcome ------------------------------------------------------------------------------


def events_of(obj) -> list[Event]:
    return list(
        Event.objects.filter(subject_type=obj._meta.label_lower, subject_id=str(obj.pk)).order_by(
            "at", "pk"
        )
    )


# --- Care follow-up (S3, S6) ---------------------------------------------------------------------

ACCOMPANIMENT = "Accompagnement (coordination renforcée)"


def record_request(page, *, search, person, requester, reasons, situation, urgency=""):
    """A new request for a person unknown to the DAC, the GP known, the person informed and
    agreeing; saved, then on the request page. The request is returned."""
    from appui.intake.models import SupportRequest

    open_new_request(page)
    create_person_from_request(page, search=search, **person)
    if urgency:
        answer(page, "urgency", urgency)
    pick_requester(page, *requester)
    check_reasons(page, *reasons)
    textbox(page, "Situation, précisions").fill(situation)
    for group in ("gp_known", "person_informed", "person_agrees"):
        answer(page, group, "Oui")
    save_request(page)
    return SupportRequest.objects.latest("pk")


def answer_with_accompaniment(page, level: str, summary: str) -> None:
    """Answer the request shown by an accompaniment at `level`: the care episode opens."""
    open_answer_form(page)
    choose_response(page, ACCOMPANIMENT)
    select(page, "Niveau d'intensité retenu").select_option(label=level)
    write_summary(page, summary)
    save_answer(page, ACCOMPANIMENT)
    expect(main(page)).to_contain_text("Transformée en accompagnement")


def go_to_episode(page, person_name: str) -> None:
    """From a page naming the person (request, home…) to their accompaniment, via their page."""
    main(page).get_by_role("link", name=person_name).first.click()
    page.locator("#panneau-care").get_by_role("link", name=ACCOMPANIMENT).first.click()
    expect(page.locator("h1")).to_have_text(ACCOMPANIMENT)


def run_alerts() -> str:
    """The hourly computation of the alerts, as the scheduler runs it; returns its summary."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("compute_alerts", stdout=out)
    return out.getvalue()


def alerts_block(page):
    """The "Alertes" block of the episode page."""
    return page.locator("section[aria-labelledby=bloc-alertes]")


def my_work(page):
    """The "Mon travail" panel of the home page."""
    return page.locator("section[aria-labelledby=mon-travail]")


# --- Care (accompaniment) ------------------------------------------------------------------------


def go_home(page) -> None:
    """The home page ("Mon travail"), from the logo link of the header."""
    page.locator("header a[title^='Accueil']").first.click()


def open_episode(page, person: str) -> None:
    """An accompaniment, from the "Accompagnements" list (by the person's name)."""
    menu(page, "Accompagnements")
    main(page).get_by_role("link", name=person).first.click()
    expect(
        page.get_by_role("navigation", name="Parties du dossier de coordination")
    ).to_be_visible()


def open_episode_tab(page, name: str) -> None:
    """A tab of an episode: Dossier, Évaluations, Concertations, PPCS, Suivi."""
    page.get_by_role("navigation", name="Parties du dossier de coordination").get_by_role(
        "link", name=name, exact=True
    ).click()


def choose_grade(page, code: str, value: str, values=("A", "B", "C")) -> None:
    """An answer of an assessment grid given by a row of radios (AGGIR's A/B/C, yes/no…)."""
    page.locator(f"label[for='id_q_{code}_{values.index(value)}']").click()


def plan_form(page):
    """The form opened in place on the PPCS page (synthesis, goal, action, agreement…)."""
    return page.locator(".appui-plan-form")


def save_plan_form(page, button) -> None:
    """Click a button of a PPCS form whose success reloads the plan page (htmx full reload)."""
    with page.expect_navigation():
        button.click()


def add_plan_goal(page, title: str, *needs: str) -> None:
    """A goal added to the draft ("Ajouter un objectif"), tied to the needs whose labels contain
    the texts given."""
    page.get_by_role("link", name="Ajouter un objectif").click()
    form = plan_form(page)
    form.get_by_label(re.compile(r"^\s*Objectif")).fill(title)
    for need in needs:
        form.get_by_text(need).click()
    save_plan_form(page, form.get_by_role("button", name="Enregistrer"))
    expect(flash(page)).to_contain_text("Objectif ajouté.")


def add_plan_action(
    page, goal: int, kind: str, description: str, *, who: str, search: str = "", **when
) -> None:
    """An action added to goal N of the draft ("Ajouter une action à l'objectif N"): type,
    action, who does it — searched in the directory when `search` is given, then chosen by its
    label in the "Qui fait l'action" list — and when (`Début`, `Échéance`, `Périodicité`)."""
    page.get_by_role("link", name=f"Ajouter une action à l'objectif {goal}").click()
    form = plan_form(page)
    expect(form.get_by_role("heading", name="Ajouter une action")).to_be_visible()
    form.get_by_text(kind, exact=True).click()
    form.get_by_label(re.compile(r"^\s*Action\b")).fill(description)
    if search:
        form.get_by_label("Chercher dans le répertoire").fill(search)
        expect(form.locator("#responsible-field")).to_contain_text(f"pour « {search} »")
    form.get_by_label("Qui fait l'action").select_option(label=who)
    for label, value in when.items():
        form.get_by_label(re.compile(rf"^\s*{label}")).fill(value)
    save_plan_form(page, form.get_by_role("button", name="Enregistrer"))
    expect(flash(page)).to_contain_text("Action ajoutée.")
