"""S2 (whole journey) — A hospital discharge that becomes an accompaniment, followed for months.

The hospital's social worker asks for help for M. Ahmed Benali, 72 (COPD, heart failure, three
hospitalisations in six months, his wife exhausted, discharge in three days); the screening is
positive and the coordinator answers with an accompaniment at level *court terme*. M. Benali
agrees by phone, his GP Dr Claire Morel is informed by MSSanté. In the week after the discharge
the coordinator assesses him at home (AGGIR: GIR 3; the multidimensional grid finds the exhausted
carer, the repeated hospitalisations, the medication taken irregularly, no APA requested), holds a
concertation with the nurse, the SSIAD's nurse coordinator and the GP, and writes the PPCS
(three goals, six actions, among them the APA application due in two weeks). Dr Morel logs in and
validates it, M. Benali agrees: version 1 is in force. A month later the APA application is still
not filed: the hourly computation raises the alert, seen on the coordinator's home page and on
the episode. Two months later M. Benali is readmitted in an emergency: the stay and its adverse
event (with its corrective action) are recorded, the level moves to *long terme*, and version 2
of the PPCS (new synthesis and review date, one more action) is validated — by phone, recorded
by the coordinator — and agreed, replacing version 1; the comparison shows the change.

The clock is moved to each day of the journey; the alerts are computed by the management command
the hourly cron runs."""

import re
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from appui.accounts.models import User
from appui.care.enums import AlertKind, AlertStatus, PlanStatus
from appui.care.models import (
    Action,
    AdverseEvent,
    Alert,
    Assessment,
    CareEpisode,
    CarePlanVersion,
    Consent,
    HospitalStay,
    Meeting,
    Need,
)
from appui.intake.enums import IntensityLevel
from appui.intake.models import SupportRequest
from appui.territory.models import Professional

from .steps import (
    actions,
    add_plan_action,
    add_plan_goal,
    answer,
    check_reasons,
    checkbox,
    choose_grade,
    choose_response,
    create_person_from_request,
    email,
    events_of,
    flash,
    go_home,
    main,
    open_answer_form,
    open_episode,
    open_episode_tab,
    open_new_request,
    pick_requester,
    plan_form,
    save_answer,
    save_plan_form,
    save_request,
    screenshot,
    select,
    sign_in,
    take_in_analysis,
    textbox,
    write_summary,
)

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
MESSAGE_ARRIVES = datetime(2026, 11, 18, 11, 5, tzinfo=PARIS)  # Wednesday
CONSENT_CALL = datetime(2026, 11, 19, 9, 30, tzinfo=PARIS)  # discharge on Saturday 21/11
HOME_ASSESSMENT = datetime(2026, 11, 25, 15, 0, tzinfo=PARIS)
CONCERTATION = datetime(2026, 11, 27, 14, 0, tzinfo=PARIS)
PPCS_WRITTEN = datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)
GP_VALIDATES = datetime(2026, 12, 1, 12, 45, tzinfo=PARIS)
PERSON_AGREES = datetime(2026, 12, 2, 17, 30, tzinfo=PARIS)
A_MONTH_LATER = datetime(2026, 12, 30, 8, 0, tzinfo=PARIS)
READMISSION = datetime(2027, 1, 25, 9, 15, tzinfo=PARIS)
PPCS_REVIEWED = datetime(2027, 1, 29, 10, 0, tzinfo=PARIS)

BENALI = "M. Ahmed BENALI"
APA_DUE = date(2026, 12, 14)
PULMONOLOGY_DUE = date(2026, 12, 31)

#: Help for the whole toilet and dressing, partial transfers and moves indoors, does not go out
#: alone, the rest done alone: group F, rank 9 — GIR 3.
AGGIR = {
    "coherence": "A",
    "orientation": "A",
    "communication": "A",
    "toilette_haut": "C",
    "toilette_bas": "C",
    "habillage_haut": "C",
    "habillage_moyen": "C",
    "habillage_bas": "C",
    "alimentation_se_servir": "A",
    "alimentation_manger": "A",
    "elimination_urinaire": "A",
    "elimination_fecale": "A",
    "transferts": "B",
    "deplacement_interieur": "B",
    "deplacement_exterieur": "C",
    "cuisine": "C",
    "menage": "C",
    "suivi_traitement": "B",
}

NEEDS = {
    "santé": "Trois hospitalisations en six mois\nPrise des médicaments irrégulière\n",
    "entourage et aidant": "Épouse épuisée, sans relais\n",
    "ressources et droits": "APA non demandée\n",
}


def hospital_request_answered_with_an_accompaniment(page) -> SupportRequest:
    """The start of S2, as in test_s2_hospital_discharge_triage: the hospital's secure message,
    the positive screening and the answer "accompagnement" at level 2 — the episode opens."""
    open_new_request(page)
    create_person_from_request(
        page,
        search="Benali Ahmed",
        first_names="Ahmed",
        sex="Masculin",
        birth_date="1954-02-11",
        address="18 rue Jean-Jaurès",
        commune="Saint-Amand-les-Eaux",
        gp="Claire Morel",
        phone="03 27 22 33 44",
        lives_alone=False,
    )
    answer(page, "channel", "Messagerie sécurisée de santé")
    pick_requester(page, "Benkhaled", "Nadia Benkhaled")
    check_reasons(page, "Sortie d'hospitalisation", "Épuisement de l'aidant")
    textbox(page, "Situation, précisions").fill(
        "BPCO et insuffisance cardiaque ; trois hospitalisations en six mois. Vit avec son "
        "épouse, épuisée. Sortie prévue dans trois jours."
    )
    answer(page, "gp_known", "Oui")
    answer(page, "person_informed", "Oui")
    answer(page, "person_agrees", "Oui")
    save_request(page)
    take_in_analysis(page)

    actions(page).get_by_role("link", name="Repérage de la complexité").click()
    expect(page.locator("h1")).to_contain_text("Repérage de la complexité")
    checkbox(page, "La situation nécessite l'intervention de plusieurs catégories").check(
        force=True
    )
    for label in (
        "Plusieurs pathologies et/ou plusieurs ALD",
        "Hospitalisations répétées pour le même problème",
        "Sortie d'hospitalisation récente ou imminente",
        "Aidant·e épuisé·e ou absent·e",
    ):
        checkbox(page, label).check(force=True)
    textbox(page, "Justification").fill(
        "Médecin traitant, infirmier, SSIAD, aide à domicile et service social à coordonner."
    )
    page.get_by_role("button", name="Enregistrer le repérage").click()
    expect(flash(page)).to_contain_text("Niveau suggéré : niveau 2 — complexe à court terme.")

    open_answer_form(page)
    choose_response(page, "Accompagnement (coordination renforcée)")
    expect(select(page, "Niveau d'intensité retenu")).to_have_value(IntensityLevel.SHORT_TERM)
    write_summary(
        page, "Inclusion en accompagnement (niveau 2) ; évaluation à domicile à la sortie."
    )
    save_answer(page, "Accompagnement (coordination renforcée)")
    expect(main(page)).to_contain_text("Transformée en accompagnement")
    return SupportRequest.objects.get()


def test_s2_accompaniment_from_discharge_to_ppcs_version_2(page, territory, time_machine):
    gp = Professional.objects.get(first_name="Claire", last_name="Morel")
    lefebvre = Professional.objects.get(first_name="Sandrine", last_name="Lefebvre")
    caron = Professional.objects.get(first_name="Émilie", last_name="Caron")

    # --- 1. The hospital's request becomes an accompaniment (Wednesday) --------------------------
    time_machine.move_to(MESSAGE_ARRIVES)
    sign_in(page, "coordination")
    support_request = hospital_request_answered_with_an_accompaniment(page)
    open_episode(page, BENALI)
    expect(page.locator("h1")).to_have_text("Accompagnement (coordination renforcée)")
    expect(main(page)).to_contain_text(f"demande {support_request.number}")
    expect(main(page)).to_contain_text("Consentement de la personne à recueillir")
    expect(main(page)).to_contain_text("Médecin traitant à informer")
    episode = CareEpisode.objects.get()

    # --- 2. Consent by phone, the GP informed by MSSanté (Thursday) ------------------------------
    time_machine.move_to(CONSENT_CALL)
    sign_in(page, "coordination")
    open_episode(page, BENALI)
    page.get_by_role("link", name="Enregistrer le consentement").click()
    page.get_by_text("Accepte l'accompagnement", exact=True).click()
    page.get_by_label("Comment la personne a-t-elle été informée ?").select_option(
        label="Par téléphone"
    )
    page.get_by_label("Précisions").fill(
        "Appelé dans sa chambre au centre hospitalier, en présence de son épouse : d'accord."
    )
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(flash(page)).to_contain_text("Consentement enregistré")
    expect(main(page)).to_contain_text("Accepte l'accompagnement — le 19/11/2026, par téléphone")
    page.get_by_role("link", name="Enregistrer l'information du médecin traitant").click()
    expect(main(page)).to_contain_text("Dr Claire Morel")
    page.get_by_label("Comment ?").select_option(label="Par messagerie sécurisée (MSSanté)")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(main(page)).to_contain_text(
        "Informé de l'accompagnement le 19/11/2026 — par messagerie sécurisée (MSSanté)"
    )
    screenshot(page, "s2b-1-inclusion")

    # --- 3. Home assessment, four days after the discharge ---------------------------------------
    time_machine.move_to(HOME_ASSESSMENT)
    sign_in(page, "coordination")
    open_episode(page, BENALI)
    open_episode_tab(page, "Évaluations")
    page.get_by_role("link", name="Grille AGGIR").click()
    page.get_by_label("Participants").fill("M. Benali, Mme Benali (épouse)")
    page.get_by_role("button", name="Commencer la saisie").click()
    for code, letter in AGGIR.items():
        choose_grade(page, code, letter)
    page.get_by_label("Synthèse").fill(
        "Essoufflé au moindre effort : aide pour la toilette et l'habillage, ne sort pas seul."
    )
    page.get_by_role("button", name="Terminer l'évaluation").click()
    expect(flash(page)).to_contain_text("Évaluation terminée : GIR 3.")
    expect(page.locator(".appui-gir")).to_have_text("GIR 3")
    screenshot(page, "s2b-2-aggir-gir-3")

    page.get_by_role("link", name="Toutes les évaluations").click()
    page.get_by_role("link", name="Évaluation multidimensionnelle").click()
    page.get_by_label("Participants").fill("M. Benali, Mme Benali (épouse)")
    page.get_by_role("button", name="Commencer la saisie").click()
    page.get_by_label("Pathologies principales et antécédents").fill(
        "BPCO, insuffisance cardiaque ; trois hospitalisations en six mois."
    )
    page.get_by_label("Hospitalisations dans les six derniers mois").fill("3")
    choose_grade(page, "falls", "no", ("yes", "no"))
    choose_grade(page, "carer_exhaustion", "yes", ("yes", "no", "none"))
    for domain, text in NEEDS.items():
        page.get_by_label(f"Problèmes et besoins non couverts — {domain}").fill(text)
    page.get_by_role("button", name="Terminer l'évaluation").click()
    expect(flash(page)).to_contain_text("4 problèmes ou besoins non couverts relevés.")
    for text in ("Épouse épuisée, sans relais", "APA non demandée"):
        expect(main(page)).to_contain_text(text)
    screenshot(page, "s2b-3-evaluation-multidimensionnelle")

    # --- 4. Concertation with the nurse, the SSIAD and the GP ------------------------------------
    time_machine.move_to(CONCERTATION)
    sign_in(page, "coordination")
    open_episode(page, BENALI)
    open_episode_tab(page, "Concertations")
    page.get_by_role("link", name="Planifier une concertation").click()
    page.get_by_label("Date et heure").fill("2026-11-27T12:30")
    page.get_by_label("Objet").fill("Concertation pluriprofessionnelle — retour à domicile")
    page.get_by_label("Lieu").fill("Maison de santé des Deux Rivières")
    page.get_by_role("button", name="Enregistrer la concertation").click()
    expect(flash(page)).to_contain_text("Concertation enregistrée")
    for search, name, role in (
        ("lefebvre", "Mme Sandrine Lefebvre", "Infirmière libérale"),
        ("caron", "Mme Émilie Caron", "Infirmière coordinatrice du SSIAD"),
        ("morel", "Dr Claire Morel", "Médecin traitant"),
    ):
        page.get_by_role("link", name="Ajouter un·e participant·e").click()
        page.get_by_label("Chercher dans le répertoire").fill(search)
        page.get_by_role("button", name="Rechercher").click()
        page.get_by_text(name).click()
        page.get_by_label("Rôle dans la situation").fill(role)
        page.get_by_role("button", name="Ajouter", exact=True).click()
        expect(flash(page)).to_contain_text("ajouté·e")
    page.get_by_role("link", name="Discussion et décisions").click()
    page.get_by_label("Éléments discutés").fill(
        "Dyspnée d'effort, oublis de traitement ; Mme Benali épuisée, sans relais."
    )
    page.get_by_label("Décisions pour le PPCS").fill(
        "Passage infirmier quotidien ; SSIAD matin et soir ; portage des repas ; accueil de "
        "jour deux jours par semaine ; dossier APA ; consultation de pneumologie sous un mois."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(main(page)).to_contain_text("accueil de jour deux jours par semaine")
    screenshot(page, "s2b-4-concertation")

    # --- 5. PPCS version 1 -----------------------------------------------------------------------
    time_machine.move_to(PPCS_WRITTEN)
    sign_in(page, "coordination")
    open_episode(page, BENALI)
    open_episode_tab(page, "PPCS")
    expect(main(page)).to_contain_text("Besoins relevés par les évaluations (4)")
    page.get_by_role("button", name="Commencer le PPCS").click()
    expect(flash(page)).to_contain_text("Version 1 du PPCS commencée.")
    page.get_by_role("link", name="Modifier la synthèse").click()
    form = plan_form(page)
    form.get_by_label("Synthèse de la situation").fill(
        "BPCO et insuffisance cardiaque, GIR 3 ; vit avec son épouse, épuisée."
    )
    form.get_by_label("Attentes et projet de la personne").fill("Rester chez lui avec son épouse.")
    form.get_by_label("Date de révision").fill("2027-05-31")
    save_plan_form(page, form.get_by_role("button", name="Enregistrer"))
    expect(flash(page)).to_contain_text("Synthèse enregistrée.")
    add_plan_goal(page, "Éviter une nouvelle hospitalisation", "Santé — Trois hospitalisations")
    add_plan_goal(page, "Soulager l'aidante", "Entourage et aidant — Épouse", "Ressources et")
    add_plan_goal(page, "Sécuriser la prise des médicaments", "Santé — Prise des médicaments")

    add_plan_action(
        page,
        1,
        "Soins",
        "Consultation de pneumologie",
        search="Dupuis",
        who="Dr Bernard Dupuis — Médecin",
        Échéance=PULMONOLOGY_DUE.isoformat(),
    )
    add_plan_action(
        page,
        2,
        "Soins",
        "SSIAD : aide à la toilette et à l'habillage",
        search="SSIAD",
        who="Soins infirmiers à domicile (SSIAD) — SSIAD de la Pévèle-Scarpe",
        Périodicité="matin et soir",
    )
    add_plan_action(
        page,
        2,
        "Accompagnement et aides",
        "Portage des repas à domicile",
        search="portage repas",
        who="Portage de repas à domicile — Les Repas de la Pévèle",
        Début="2026-12-07",
    )
    add_plan_action(
        page,
        2,
        "Accompagnement et aides",
        "Accueil de jour deux jours par semaine",
        search="accueil de jour",
        who="Accueil de jour — Accueil de jour Les Hortensias",
        Périodicité="mardi et jeudi",
    )
    add_plan_action(
        page,
        2,
        "Accompagnement et aides",
        "Demande d'APA au conseil départemental",
        who="Camille Dubois — équipe du DAC",
        Échéance=APA_DUE.isoformat(),
    )
    add_plan_action(
        page,
        3,
        "Soins",
        "Passage infirmier quotidien : pilulier et surveillance",
        search="Lefebvre",
        who="Mme Sandrine Lefebvre — Infirmier·ère",
        Périodicité="tous les jours",
    )
    expect(main(page)).to_contain_text("Le PPCS est prêt à être soumis au médecin traitant")
    screenshot(page, "s2b-5-ppcs-brouillon")
    page.get_by_role("link", name="Soumettre au médecin traitant").click()
    page.get_by_role("button", name="Soumettre au médecin traitant").click()
    expect(flash(page)).to_contain_text("PPCS soumis au médecin traitant (Dr Claire Morel).")

    # --- 6. Dr Morel validates in Appui; M. Benali agrees: version 1 in force --------------------
    time_machine.move_to(GP_VALIDATES)
    sign_in(page, "dr.morel")
    open_episode(page, BENALI)
    open_episode_tab(page, "PPCS")
    expect(main(page)).to_contain_text("Vous êtes le médecin traitant de M. Ahmed BENALI")
    expect(main(page)).to_contain_text("Demande d'APA au conseil départemental")
    page.get_by_label("Commentaire").fill("D'accord. Je le revois dans quinze jours.")
    screenshot(page, "s2b-6-validation-medecin")
    page.get_by_role("button", name="Valider le PPCS").click()
    expect(flash(page)).to_contain_text("Validation du PPCS par le médecin traitant enregistrée.")
    expect(main(page)).to_contain_text("Validé par Dr Claire Morel le 01/12/2026")

    time_machine.move_to(PERSON_AGREES)
    sign_in(page, "coordination")
    open_episode(page, BENALI)
    open_episode_tab(page, "PPCS")
    page.get_by_role("link", name="Enregistrer l'accord de la personne").click()
    form = plan_form(page)
    form.get_by_label("Accord donné le").fill("2026-12-02")
    form.get_by_label("Accord recueilli").select_option(label="Lors d'une visite à domicile")
    save_plan_form(page, form.get_by_role("button", name="Enregistrer l'accord"))
    expect(flash(page)).to_contain_text("Accord de la personne enregistré.")
    expect(main(page)).to_contain_text("En vigueur")
    screenshot(page, "s2b-7-ppcs-en-vigueur")

    # --- 7. A month later: the APA application is not filed, the alert fires --------------------
    time_machine.move_to(A_MONTH_LATER)
    call_command("compute_alerts", stdout=StringIO())  # as the hourly cron does
    sign_in(page, "coordination")
    go_home(page)
    apa_alert_text = (
        "Action « Demande d'APA au conseil départemental » non réalisée à l'échéance du 14/12/2026"
    )
    work = page.locator("section[aria-labelledby=mon-travail]")
    expect(work).to_contain_text(apa_alert_text)
    screenshot(page, "s2b-8-mon-travail-alerte")
    work.get_by_role("link", name="M. Ahmed BENALI").first.click()
    expect(page.locator("section[aria-labelledby=bloc-alertes]")).to_contain_text(apa_alert_text)
    screenshot(page, "s2b-9-dossier-alerte")

    # --- 8. Two months later: readmission, level long terme, PPCS version 2 ----------------------
    time_machine.move_to(READMISSION)
    sign_in(page, "coordination")
    open_episode(page, BENALI)
    open_episode_tab(page, "Suivi")
    page.get_by_role("link", name="Enregistrer une hospitalisation").click()
    expect(page.get_by_label("Non programmée (urgence, réhospitalisation…)")).to_be_checked()
    page.get_by_label("Établissement du répertoire").fill("Centre hospitalier de la Scarpe")
    page.get_by_label("Service").fill("Cardiologie")
    page.get_by_label("Entrée le").fill("2027-01-24")
    page.get_by_label("Sortie prévue le").fill("2027-01-29")
    page.get_by_label("Motif (Optionnel)").fill("Décompensation cardiaque")
    page.get_by_label("Description de l'événement").fill(
        "Réhospitalisation en urgence un dimanche : prise de poids non repérée."
    )
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(flash(page)).to_contain_text(
        "avec l'événement indésirable « hospitalisation non programmée »"
    )
    events_section = page.locator("section[aria-labelledby=evenements]")
    events_section.get_by_role("link", name=re.compile("^Action corrective")).click()
    page.get_by_label("Action corrective").fill(
        "Pesée quotidienne par l'infirmière, alerte au médecin traitant au-delà de 2 kg ; PPCS "
        "révisé."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(flash(page)).to_contain_text("Action corrective enregistrée.")
    expect(events_section).to_contain_text("Hospitalisation non programmée")
    expect(events_section).to_contain_text("Pesée quotidienne par l'infirmière")
    screenshot(page, "s2b-10-suivi-rehospitalisation")

    open_episode_tab(page, "Dossier")
    page.get_by_role("link", name="Changer de niveau").click()
    page.get_by_label("Nouveau niveau d'intensité").select_option(
        label="Niveau 3 — complexe à long terme"
    )
    page.get_by_label("Motif du changement").fill(
        "Réhospitalisation non programmée malgré le PPCS : suivi au long cours."
    )
    page.get_by_role("button", name="Changer le niveau").click()
    expect(flash(page)).to_contain_text("Niveau d'intensité changé")
    levels = page.locator("table", has_text="Depuis le")
    expect(levels).to_contain_text("auparavant : niveau 2 — complexe à court terme")

    time_machine.move_to(PPCS_REVIEWED)
    sign_in(page, "coordination")
    open_episode(page, BENALI)
    open_episode_tab(page, "PPCS")
    # The review starts from what was done: the pulmonologist saw M. Benali in December.
    page.get_by_role(
        "link", name="Mettre à jour le statut de « Consultation de pneumologie »"
    ).click()
    plan_form(page).get_by_text("Réalisée", exact=True).click()
    save_plan_form(page, plan_form(page).get_by_role("button", name="Enregistrer"))
    expect(flash(page)).to_contain_text("Statut de l'action mis à jour.")
    expect(main(page)).to_contain_text("6 actions : 5 prévues, 1 réalisée — 1 en retard.")
    page.get_by_role("button", name="Commencer une nouvelle version").click()
    expect(flash(page)).to_contain_text("Version 2 du PPCS commencée à partir de la version 1.")
    page.get_by_role("link", name="Modifier la synthèse").click()
    form = plan_form(page)
    form.get_by_label("Synthèse de la situation").fill(
        "BPCO et insuffisance cardiaque, GIR 3 ; réhospitalisé en urgence le 24/01/2027 ; vit "
        "avec son épouse, épuisée."
    )
    form.get_by_label("Date de révision").fill("2027-04-30")
    save_plan_form(page, form.get_by_role("button", name="Enregistrer"))
    expect(flash(page)).to_contain_text("Synthèse enregistrée.")
    add_plan_action(
        page,
        1,
        "Prévention",
        "Pesée quotidienne, alerte au médecin traitant au-delà de 2 kg",
        search="Lefebvre",
        who="Mme Sandrine Lefebvre — Infirmier·ère",
        Périodicité="tous les jours",
    )
    page.get_by_role("link", name="Comparer les versions").click()
    expect(main(page)).to_contain_text("De la version 1 (en vigueur) à la version 2 (brouillon)")
    changes = main(page).locator("section", has=page.get_by_role("heading", name="Actions"))
    expect(changes).to_contain_text("Ajouté")
    expect(changes).to_contain_text("Pesée quotidienne, alerte au médecin traitant")
    screenshot(page, "s2b-11-comparaison")
    page.go_back()
    page.get_by_role("link", name="Soumettre au médecin traitant").click()
    page.get_by_role("button", name="Soumettre au médecin traitant").click()
    expect(flash(page)).to_contain_text("PPCS soumis au médecin traitant (Dr Claire Morel).")
    page.get_by_role("link", name="Enregistrer la validation du médecin traitant").click()
    form = plan_form(page)
    form.get_by_label("Validé par le médecin traitant le").fill("2027-01-29")
    form.get_by_label("Validation reçue").select_option(label="Par téléphone")
    form.get_by_label("Remarques du médecin traitant").fill("D'accord pour la pesée quotidienne.")
    save_plan_form(page, form.get_by_role("button", name="Enregistrer la validation"))
    expect(flash(page)).to_contain_text("Validation du PPCS par le médecin traitant enregistrée.")
    page.get_by_role("link", name="Enregistrer l'accord de la personne").click()
    form = plan_form(page)
    form.get_by_label("Accord donné le").fill("2027-01-29")
    form.get_by_label("Accord recueilli").select_option(label="Par téléphone")
    save_plan_form(page, form.get_by_role("button", name="Enregistrer l'accord"))
    expect(flash(page)).to_contain_text("Accord de la personne enregistré.")
    expect(main(page)).to_contain_text("En vigueur")
    screenshot(page, "s2b-12-ppcs-v2-en-vigueur")

    # --- Stored outcome --------------------------------------------------------------------------
    coordinator = User.objects.get(email=email("coordination"))
    gp_user = User.objects.get(email=email("dr.morel"))
    episode.refresh_from_db()
    assert episode.request == support_request
    assert episode.level == IntensityLevel.LONG_TERM
    assert [
        (c.previous_level, c.level, c.changed_by, c.reason) for c in episode.level_changes.reverse()
    ] == [
        ("", IntensityLevel.SHORT_TERM, coordinator, ""),
        (
            IntensityLevel.SHORT_TERM,
            IntensityLevel.LONG_TERM,
            coordinator,
            "Réhospitalisation non programmée malgré le PPCS : suivi au long cours.",
        ),
    ]
    consent = Consent.objects.get(episode=episode)
    assert (consent.answer, consent.informed_how, consent.informed_on) == (
        "agrees",
        "phone",
        date(2026, 11, 19),
    )
    assert (episode.gp_informed_on, episode.gp_informed_how) == (date(2026, 11, 19), "mssante")

    aggir, multidimensional = Assessment.objects.filter(episode=episode).order_by("pk")
    assert (aggir.gir, aggir.status, aggir.assessed_on) == (3, "completed", date(2026, 11, 25))
    assert multidimensional.status == "completed"
    assert sorted(
        Need.objects.filter(assessment=multidimensional).values_list("domain", "description")
    ) == [
        ("carers", "Épouse épuisée, sans relais"),
        ("health", "Prise des médicaments irrégulière"),
        ("health", "Trois hospitalisations en six mois"),
        ("rights", "APA non demandée"),
    ]

    meeting = Meeting.objects.get()
    assert {(p.professional, p.role) for p in meeting.participants.all()} >= {
        (lefebvre, "Infirmière libérale"),
        (caron, "Infirmière coordinatrice du SSIAD"),
        (gp, "Médecin traitant"),
    }
    situation = meeting.situations.get()
    assert situation.episode == episode
    assert "dossier APA" in situation.decisions

    v1, v2 = CarePlanVersion.objects.filter(plan__episode=episode).order_by("number")
    assert (v1.status, v1.superseded_on) == (PlanStatus.SUPERSEDED, date(2027, 1, 29))
    assert (v1.gp, v1.gp_validated_on, v1.gp_validation_channel) == (
        gp,
        date(2026, 12, 1),
        "in_app",
    )
    assert v1.gp_validation_recorded_by == gp_user
    assert (v1.person_agreed_on, v1.activated_on) == (date(2026, 12, 2), date(2026, 12, 2))
    assert [g.title for g in v1.goals.all()] == [
        "Éviter une nouvelle hospitalisation",
        "Soulager l'aidante",
        "Sécuriser la prise des médicaments",
    ]
    assert v1.actions.count() == 6
    apa = v1.actions.get(description="Demande d'APA au conseil départemental")
    assert (apa.due_on, apa.responsible_user, apa.status) == (APA_DUE, coordinator, "planned")
    assert (v2.status, v2.based_on, v2.activated_on) == (
        PlanStatus.ACTIVE,
        v1,
        date(2027, 1, 29),
    )
    assert (v2.gp_validation_channel, v2.gp_validation_recorded_by) == ("phone", coordinator)
    assert v2.actions.count() == 7
    assert v2.actions.get(description="Consultation de pneumologie").status == "done"
    added = v2.actions.get(description__startswith="Pesée quotidienne")
    assert (added.carried_from, added.responsible_professional) == (None, lefebvre)

    alert = Alert.objects.get(kind=AlertKind.ACTION_OVERDUE, key__contains=f":{apa.pk}:")
    assert alert.episode == episode and alert.due_on == APA_DUE
    assert alert.status == AlertStatus.OPEN

    stay = HospitalStay.objects.get(episode=episode)
    assert (stay.is_planned, stay.establishment.name, stay.admitted_on, stay.recorded_by) == (
        False,
        "Centre hospitalier de la Scarpe",
        date(2027, 1, 24),
        coordinator,
    )
    adverse = AdverseEvent.objects.get(episode=episode)
    assert (adverse.kind, adverse.hospital_stay) == ("unplanned_hospitalisation", stay)
    assert adverse.corrective_action.startswith("Pesée quotidienne")

    engine = (None, "Calcul des alertes")
    staff = (coordinator, "Camille Dubois")
    assert [(e.verb, (e.actor, e.actor_label)) for e in events_of(episode)] == [
        ("opened", staff),
        ("consent_recorded", staff),
        ("gp_informed", staff),
        ("assessment_started", staff),
        ("assessment_completed", staff),
        ("assessment_started", staff),
        ("assessment_completed", staff),
        ("meeting_situation_added", staff),
        ("meeting_situation_updated", staff),
        ("alert_raised", engine),  # no contact noted since the inclusion
        ("alert_raised", engine),  # the APA application
        ("hospital_admission_recorded", staff),
        ("adverse_event_recorded", staff),
        ("corrective_action_recorded", staff),
        ("level_changed", staff),
    ]
    lifecycle = {
        "plan_version_submitted",
        "plan_version_validated",
        "plan_person_agreed",
        "plan_version_activated",
        "plan_version_superseded",
    }
    assert [(e.verb, e.actor) for e in events_of(v1) if e.verb in lifecycle] == [
        ("plan_version_submitted", coordinator),
        ("plan_version_validated", gp_user),  # in Appui, by Dr Morel herself
        ("plan_person_agreed", coordinator),
        ("plan_version_activated", coordinator),
        ("plan_version_superseded", coordinator),
    ]
    assert [(e.verb, e.actor) for e in events_of(v2) if e.verb in lifecycle] == [
        ("plan_version_submitted", coordinator),
        ("plan_version_validated", coordinator),  # received by phone, recorded by the staff
        ("plan_person_agreed", coordinator),
        ("plan_version_activated", coordinator),
    ]
    assert Action.objects.filter(plan_version=v2, carried_from__plan_version=v1).count() == 6
