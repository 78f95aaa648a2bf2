"""Assessments of the accompaniment: grids defined as data and versioned, assessments filled in
with them, the GIR computed for AGGIR, the problems / uncovered needs found by the
multidimensional assessment (carried into the PPCS).

A grid's `definition` (JSON):

    {"help": "…", "scoring": {"method": "aggir" | "sum", "bands": [{"min", "max", "label"}]},
     "domains": [{"code", "label", "help", "needs": bool,
                  "questions": [{"code", "label", "type", "help", "required", "scored",
                                 "options": [{"value", "label", "score"}], "min", "max"}]}]}

Types: text, yes_no, choice (options, optional score each), number (optional min/max), abc (A/B/C,
AGGIR). A domain with `needs` collects the assessor's free list of problems / uncovered needs; its
code is then one of `AssessmentDomain`. Answers are stored by question code; the draft's needs
under `NEEDS_KEY`. Editing a grid makes a new version row (same code, version + 1); an assessment
keeps the version it was filled with.

Services (one per state change): `start_assessment`, `save_assessment`, `complete_assessment`,
`create_form`, `revise_form`, `set_form_active`. Readers: `available_forms`, `shipped_form`,
`latest_assessment_on`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.text import slugify

from appui.core import sharing
from appui.core.locking import save_locked
from appui.core.models import record_event
from appui.core.permissions import require

from . import aggir
from . import sharing as care_sharing
from .enums import AssessmentDomain, AssessmentPlace, AssessmentStatus, FormKind
from .models import Assessment, AssessmentForm, Need

# --- The definition format -------------------------------------------------------------------

TYPES = {
    "text": "Texte libre",
    "yes_no": "Oui / non",
    "choice": "Choix dans une liste",
    "number": "Nombre",
    "abc": "A / B / C",
}
YES_NO = {"yes": "Oui", "no": "Non"}
ABC = {letter: letter for letter in aggir.LETTERS}
#: Where a draft keeps the needs typed so far (question codes never start with "_").
NEEDS_KEY = "_needs"
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
MAX_TEXT = 4000
MAX_NEED = 1000
MAX_PARTICIPANTS = 2000
NEED_DOMAINS = dict(AssessmentDomain.choices)


def iter_questions(definition: dict):
    for domain in definition.get("domains", []):
        for question in domain.get("questions", []):
            yield domain, question


def need_domains(definition: dict) -> list[dict]:
    return [d for d in definition.get("domains", []) if d.get("needs")]


def validate_definition(definition: dict) -> None:
    """Refuse a definition that pages could not render or answers could not be checked with."""
    errors: list[str] = []
    domains = definition.get("domains")
    if not isinstance(domains, list) or not domains:
        raise ValidationError("La grille doit compter au moins un domaine.")
    domain_codes, question_codes = set(), set()
    for domain in domains:
        label = str(domain.get("label") or "").strip()
        code = domain.get("code")
        if not label:
            errors.append("Chaque domaine doit avoir un titre.")
        if not isinstance(code, str) or not CODE_RE.match(code):
            errors.append(f"Le domaine « {label} » a un code invalide.")
        elif code in domain_codes:
            errors.append(f"Deux domaines portent le même titre « {label} ».")
        domain_codes.add(code)
        if domain.get("needs") and code not in NEED_DOMAINS:
            errors.append(
                f"Le domaine « {label} » ne peut pas recueillir de problèmes ou besoins : ils se "
                "rangent dans les domaines de l'évaluation multidimensionnelle ("
                + ", ".join(NEED_DOMAINS.values())
                + ")."
            )
        questions = domain.get("questions", [])
        if not questions and not domain.get("needs"):
            errors.append(f"Le domaine « {label} » n'a aucune question.")
        for question in questions:
            errors.extend(_question_errors(question, question_codes))
    scoring = definition.get("scoring") or {}
    method = scoring.get("method")
    if method not in (None, "aggir", "sum"):
        errors.append(f"Méthode de calcul inconnue : {method}.")
    if method == "sum" and not any(
        o.get("score") is not None
        for _, q in iter_questions(definition)
        for o in q.get("options", [])
    ):
        errors.append("Un score total demande au moins une option notée (« - Libellé = 2 »).")
    for band in scoring.get("bands", []):
        if band.get("max") is not None and band["max"] < band["min"]:
            errors.append(f"La tranche « {band.get('label')} » finit avant de commencer.")
    if errors:
        raise ValidationError(errors)


def _question_errors(question: dict, seen: set) -> list[str]:
    errors = []
    label = str(question.get("label") or "").strip()
    code = question.get("code")
    if not label:
        errors.append("Chaque question doit avoir un libellé.")
    if not isinstance(code, str) or not CODE_RE.match(code):
        errors.append(f"La question « {label} » a un code invalide.")
    elif code in seen:
        errors.append(f"Deux questions portent le même libellé « {label} ».")
    seen.add(code)
    kind = question.get("type")
    if kind not in TYPES:
        errors.append(f"La question « {label} » a un type inconnu : {kind}.")
    if kind == "choice":
        options = question.get("options") or []
        values = [o.get("value") for o in options]
        if len(options) < 2:
            errors.append(f"La question à choix « {label} » doit proposer au moins deux options.")
        if len(set(values)) != len(values) or not all(values):
            errors.append(f"La question à choix « {label} » a deux options identiques.")
    if kind == "number":
        low, high = question.get("min"), question.get("max")
        if low is not None and high is not None and high < low:
            errors.append(f"La question « {label} » a un minimum supérieur à son maximum.")
    return errors


# --- Answers ---------------------------------------------------------------------------------


def _number(value):
    if isinstance(value, bool):
        raise InvalidOperation
    number = Decimal(str(value).strip().replace(",", ".").replace(" ", ""))
    if not number.is_finite():
        raise InvalidOperation
    return number


def clean_answers(definition: dict, answers: dict) -> tuple[dict, dict]:
    """The answers kept (by question code, empty ones dropped) and the French error of each
    answer refused."""
    cleaned, errors = {}, {}
    answers = answers or {}
    for _domain, question in iter_questions(definition):
        code, kind = question["code"], question["type"]
        value = answers.get(code)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if kind == "text":
            value = str(value).strip()
            if len(value) > MAX_TEXT:
                errors[code] = f"Réponse trop longue ({MAX_TEXT} caractères au plus)."
                continue
        elif kind == "yes_no":
            if value not in YES_NO:
                errors[code] = "Répondez par oui ou par non."
                continue
        elif kind == "choice":
            if value not in {o["value"] for o in question["options"]}:
                errors[code] = "Choisissez une des réponses proposées."
                continue
        elif kind == "abc":
            if value not in ABC:
                errors[code] = "Cotez A, B ou C."
                continue
        elif kind == "number":
            try:
                number = _number(value)
            except (InvalidOperation, ValueError):
                errors[code] = "Saisissez un nombre."
                continue
            low, high = question.get("min"), question.get("max")
            if low is not None and number < low:
                errors[code] = f"Le nombre doit être au moins {low}."
                continue
            if high is not None and number > high:
                errors[code] = f"Le nombre doit être au plus {high}."
                continue
            value = int(number) if number == number.to_integral_value() else float(number)
        cleaned[code] = value
    return cleaned, errors


def clean_needs(definition: dict, needs) -> tuple[list[dict], dict]:
    """Needs as a list of {"domain", "description"} (or (domain, description) pairs) in the grid's
    need domains; blank ones dropped."""
    allowed = {d["code"] for d in need_domains(definition)}
    cleaned, errors = [], {}
    for item in needs or []:
        domain, description = (
            (item.get("domain"), item.get("description")) if isinstance(item, dict) else tuple(item)
        )
        description = str(description or "").strip()
        if not description:
            continue
        if domain not in allowed:
            errors[NEEDS_KEY] = (
                "Ces problèmes ou besoins ne se rangent dans aucun domaine de la grille."
            )
            continue
        if len(description) > MAX_NEED:
            errors[f"needs_{domain}"] = (
                f"Un problème ou besoin tient en {MAX_NEED} caractères au plus."
            )
            continue
        cleaned.append({"domain": domain, "description": description})
    return cleaned, errors


def completion_errors(definition: dict, answers: dict, needs: list) -> dict:
    """What is still missing to complete an assessment with this grid."""
    errors = {}
    aggir_grid = (definition.get("scoring") or {}).get("method") == "aggir"
    for _domain, question in iter_questions(definition):
        if question.get("required") and question["code"] not in answers:
            errors[question["code"]] = (
                "Cotez cette variable (A, B ou C) : elle entre dans le calcul du GIR."
                if aggir_grid
                else "Répondez à cette question pour terminer l'évaluation."
            )
    if not answers and not needs:
        errors[None] = "Renseignez au moins une réponse avant de terminer l'évaluation."
    return errors


def compute_result(definition: dict, answers: dict) -> tuple[dict, int | None]:
    """The stored result: the GIR (rank, group sums, variables) for AGGIR, the total score and
    its band for a scored grid, nothing otherwise."""
    scoring = definition.get("scoring") or {}
    if scoring.get("method") == "aggir":
        result = aggir.gir_from_answers(answers)
        return result.as_json(), result.gir
    if scoring.get("method") == "sum":
        total = 0
        for _domain, question in iter_questions(definition):
            for option in question.get("options", []):
                if answers.get(question["code"]) == option["value"] and option.get("score"):
                    total += option["score"]
        band = next(
            (
                b["label"]
                for b in scoring.get("bands", [])
                if b["min"] <= total and (b.get("max") is None or total <= b["max"])
            ),
            "",
        )
        return {"method": "sum", "score": total, "band": band}, None
    return {}, None


def result_label(assessment) -> str:
    """An assessment's result in a few words (lists, episode page): its GIR, its score, or the
    number of problems / uncovered needs it found. Reads `needs_count` when annotated."""
    result = assessment.result or {}
    if assessment.gir:
        return f"GIR {assessment.gir}"
    if result.get("method") == "sum":
        return f"Score {result['score']}" + (f" — {result['band']}" if result.get("band") else "")
    if assessment.status != AssessmentStatus.COMPLETED:
        return ""
    count = getattr(assessment, "needs_count", 0)
    if count:
        plural = "s" if count > 1 else ""
        return f"{count} problème{plural} ou besoin{plural}"
    return "Terminée"


def display_answer(question: dict, value) -> str:
    """An answer as a reader sees it."""
    if value is None or value == "":
        return ""
    kind = question["type"]
    if kind == "yes_no":
        return YES_NO.get(value, str(value))
    if kind == "choice":
        return next((o["label"] for o in question["options"] if o["value"] == value), str(value))
    if kind == "number":
        return f"{value}".replace(".", ",")
    return str(value)


def readable(definition: dict, answers: dict, needs=None) -> list[dict]:
    """The grid's domains with each question's answer as read, and the domain's needs."""
    by_domain = defaultdict(list)
    for need in needs or []:
        by_domain[need.domain if hasattr(need, "domain") else need["domain"]].append(need)
    domains = []
    for domain in definition.get("domains", []):
        rows = [
            {
                "question": q,
                "answer": display_answer(q, answers.get(q["code"])),
                "variable": aggir.PART_OF.get(q["code"], ""),
            }
            for q in domain.get("questions", [])
        ]
        domains.append(
            {
                "code": domain["code"],
                "label": domain["label"],
                "help": domain.get("help", ""),
                "needs_enabled": bool(domain.get("needs")),
                "rows": rows,
                "needs": by_domain.get(domain["code"], []),
            }
        )
    return domains


# --- The shipped grids -----------------------------------------------------------------------

MULTIDIMENSIONAL_CODE = "evaluation-multidimensionnelle"
AGGIR_CODE = "aggir"


def _q(code, label, kind="text", help_text="", options=None, **extra):
    question = {"code": code, "label": label, "type": kind, "help": help_text, **extra}
    if options is not None:
        question["options"] = [{"value": v, "label": lab} for v, lab in options]
    return question


def _domain(code, questions, help_text=""):
    return {
        "code": code,
        "label": NEED_DOMAINS[code],
        "help": help_text,
        "needs": True,
        "questions": questions,
    }


MULTIDIMENSIONAL = {
    "help": "Recueillez, domaine par domaine, la situation telle que la personne et son "
    "entourage la décrivent, puis notez les problèmes et besoins non couverts : ils seront "
    "repris dans le PPCS.",
    "domains": [
        _domain(
            AssessmentDomain.HEALTH,
            [
                _q(
                    "pathologies",
                    "Pathologies principales et antécédents",
                    help_text="Diagnostics connus, affections de longue durée, interventions.",
                ),
                _q("medicines", "Nombre de médicaments pris chaque jour", "number", min=0, max=50),
                _q(
                    "hospitalisations",
                    "Hospitalisations dans les six derniers mois",
                    "number",
                    min=0,
                    max=50,
                ),
                _q("falls", "Chutes dans les six derniers mois", "yes_no"),
                _q(
                    "pain",
                    "Douleur",
                    "choice",
                    options=[
                        ("none", "Pas de douleur"),
                        ("occasional", "Douleur occasionnelle"),
                        ("persistent", "Douleur persistante ou mal soulagée"),
                    ],
                ),
                _q(
                    "nutrition",
                    "Perte de poids ou baisse d'appétit récente",
                    "yes_no",
                    help_text="Plus de 5 % du poids en un mois, ou repas sautés.",
                ),
                _q(
                    "medical_follow_up",
                    "Suivi médical",
                    "choice",
                    options=[
                        ("regular", "Régulier (médecin traitant vu dans les trois derniers mois)"),
                        ("irregular", "Irrégulier"),
                        ("none", "Pas de suivi"),
                    ],
                ),
            ],
        ),
        _domain(
            AssessmentDomain.AUTONOMY,
            [
                _q(
                    "daily_activities",
                    "Difficultés pour les actes essentiels (toilette, habillage, repas)",
                    "choice",
                    options=[
                        ("none", "Aucune"),
                        ("partial", "Partielles"),
                        ("major", "Importantes"),
                    ],
                    help_text="La grille AGGIR détaille l'autonomie et calcule le GIR.",
                ),
                _q(
                    "mobility",
                    "Déplacements",
                    "choice",
                    options=[
                        ("alone", "Seul·e"),
                        ("aid", "Avec une aide technique (canne, déambulateur, fauteuil)"),
                        ("person", "Avec l'aide d'une personne"),
                        ("bedridden", "Alité·e"),
                    ],
                ),
                _q(
                    "home_help_hours",
                    "Aide humaine à domicile (heures par semaine)",
                    "number",
                    min=0,
                    max=168,
                ),
                _q(
                    "technical_aids",
                    "Aides techniques en place ou à prévoir",
                    help_text="Lit médicalisé, barres d'appui, fauteuil, téléassistance…",
                ),
            ],
        ),
        _domain(
            AssessmentDomain.COGNITION,
            [
                _q("memory_complaints", "Troubles de la mémoire signalés", "yes_no"),
                _q(
                    "neurocognitive_diagnosis",
                    "Trouble neurocognitif diagnostiqué",
                    "choice",
                    options=[
                        ("yes", "Oui"),
                        ("no", "Non"),
                        ("ongoing", "Exploration en cours"),
                    ],
                ),
                _q(
                    "manages_medicines",
                    "Gère seul·e ses médicaments",
                    "yes_no",
                ),
                _q("cognition_notes", "Observations (orientation, jugement, comportement)"),
            ],
        ),
        _domain(
            AssessmentDomain.PSYCHOLOGICAL,
            [
                _q("low_mood", "Tristesse ou perte d'intérêt", "yes_no"),
                _q("anxiety", "Anxiété marquée", "yes_no"),
                _q(
                    "addictions",
                    "Conduites addictives (alcool, médicaments, tabac)",
                    "yes_no",
                ),
                _q(
                    "suicidal_ideas",
                    "Idées suicidaires exprimées",
                    "yes_no",
                    help_text="Si oui, prévenez le médecin traitant le jour même.",
                ),
                _q("psy_follow_up", "Suivi psychologique ou psychiatrique"),
            ],
        ),
        _domain(
            AssessmentDomain.CARERS,
            [
                _q(
                    "main_carer",
                    "Aidant·e principal·e",
                    help_text="Qui, lien avec la personne, ce qu'il ou elle assure.",
                ),
                _q(
                    "carer_exhaustion",
                    "L'aidant·e exprime de l'épuisement",
                    "choice",
                    options=[("yes", "Oui"), ("no", "Non"), ("none", "Pas d'aidant·e")],
                ),
                _q(
                    "carer_health",
                    "L'aidant·e a lui-même ou elle-même des problèmes de santé",
                    "yes_no",
                ),
                _q(
                    "respite",
                    "Relais possibles (autres proches, accueil de jour, hébergement temporaire)",
                ),
            ],
        ),
        _domain(
            AssessmentDomain.HOUSING,
            [
                _q(
                    "housing_type",
                    "Type de logement",
                    "choice",
                    options=[
                        ("house", "Maison"),
                        ("flat_lift", "Appartement avec ascenseur"),
                        ("flat_stairs", "Appartement sans ascenseur"),
                        ("residence", "Résidence autonomie ou habitat partagé"),
                    ],
                ),
                _q(
                    "housing_adapted",
                    "Logement adapté à la situation (accès, salle de bains, escaliers)",
                    "choice",
                    options=[
                        ("yes", "Adapté"),
                        ("partly", "Partiellement adapté"),
                        ("no", "Inadapté"),
                    ],
                ),
                _q("alarm", "Téléassistance installée", "yes_no"),
                _q("unsanitary", "Logement insalubre ou précarité énergétique", "yes_no"),
                _q(
                    "isolated",
                    "Isolement géographique (commerces, transports, services)",
                    "yes_no",
                ),
            ],
        ),
        _domain(
            AssessmentDomain.RIGHTS,
            [
                _q(
                    "resources",
                    "Ressources au regard des besoins",
                    "choice",
                    options=[
                        ("enough", "Suffisantes"),
                        ("tight", "Justes"),
                        ("insufficient", "Insuffisantes"),
                    ],
                ),
                _q(
                    "apa",
                    "Allocation personnalisée d'autonomie (APA)",
                    "choice",
                    options=[
                        ("granted", "Perçue"),
                        ("pending", "Demande en cours"),
                        ("to_apply", "À demander"),
                        ("not_applicable", "Sans objet"),
                    ],
                ),
                _q(
                    "legal_protection",
                    "Mesure de protection juridique",
                    "choice",
                    options=[
                        ("none", "Aucune"),
                        ("family", "Habilitation familiale"),
                        ("curatorship", "Curatelle"),
                        ("guardianship", "Tutelle"),
                        ("pending", "Demande en cours"),
                    ],
                ),
                _q("health_insurance", "Complémentaire santé", "yes_no"),
                _q("rights_to_open", "Droits à ouvrir ou à renouveler"),
            ],
        ),
        _domain(
            AssessmentDomain.SOCIAL_LIFE,
            [
                _q(
                    "outings",
                    "Sorties hors du domicile",
                    "choice",
                    options=[
                        ("daily", "Chaque jour"),
                        ("weekly", "Chaque semaine"),
                        ("rarely", "Rarement"),
                        ("never", "Jamais"),
                    ],
                ),
                _q("contacts", "Contacts réguliers (famille, amis, voisins)", "yes_no"),
                _q("interests", "Activités et centres d'intérêt"),
                _q(
                    "wishes",
                    "Souhaits de la personne pour sa vie quotidienne",
                    help_text="Dans ses mots : ce qui compte pour elle, ce qu'elle refuse.",
                ),
            ],
        ),
    ],
}

SHIPPED = {
    MULTIDIMENSIONAL_CODE: {
        "title": "Évaluation multidimensionnelle",
        "kind": FormKind.MULTIDIMENSIONAL,
        "description": "Le recueil de la situation par domaine, et les problèmes ou besoins non "
        "couverts repris dans le PPCS.",
        "definition": MULTIDIMENSIONAL,
    },
    AGGIR_CODE: {
        "title": "Grille AGGIR",
        "kind": FormKind.AGGIR,
        "description": "La grille nationale d'autonomie (annexes 2-1 et 2-2 du code de l'action "
        "sociale et des familles) : 10 variables discriminantes, 7 illustratives ; calcule le "
        "GIR.",
        "definition": aggir.DEFINITION,
    },
}


def install_shipped_forms(model=None) -> list:
    """Install (or bring up to date, as a new version) the grids shipped with Appui. Idempotent:
    a grid whose latest version already has this title and definition is left alone. `model` is
    the historical model when called from a migration."""
    model = model or AssessmentForm
    installed = []
    for code, spec in SHIPPED.items():
        latest = model.objects.filter(dac__isnull=True, code=code).order_by("-version").first()
        if (
            latest is not None
            and latest.definition == spec["definition"]
            and latest.title == spec["title"]
        ):
            installed.append(latest)
            continue
        if latest is not None:
            model.objects.filter(dac__isnull=True, code=code).update(is_active=False)
        installed.append(
            model.objects.create(
                dac=None,
                code=code,
                version=(latest.version + 1) if latest else 1,
                title=spec["title"],
                kind=spec["kind"],
                description=spec["description"],
                definition=spec["definition"],
                is_active=True,
            )
        )
    return installed


def shipped_form(code: str) -> AssessmentForm:
    """The latest version of a grid shipped with Appui (`MULTIDIMENSIONAL_CODE`, `AGGIR_CODE`)."""
    if code not in SHIPPED:
        raise KeyError(code)
    form = AssessmentForm.objects.filter(dac__isnull=True, code=code).order_by("-version").first()
    if form is None:
        install_shipped_forms()
        form = AssessmentForm.objects.filter(dac__isnull=True, code=code).latest("version")
    return form


def _latest_versions(forms) -> list[AssessmentForm]:
    latest = {}
    for form in forms:
        key = (form.dac_id, form.code)
        if key not in latest or form.version > latest[key].version:
            latest[key] = form
    return list(latest.values())


def readable_forms(dac_id):
    """Every version of the grids a DAC's staff may read: the shipped ones and the DAC's own."""
    return AssessmentForm.objects.filter(Q(dac__isnull=True) | Q(dac_id=dac_id))


def available_forms(dac) -> list[AssessmentForm]:
    """The grids a DAC's staff may start an assessment with: the latest version of each grid
    shipped with Appui and of the DAC's own, when it is proposed. Shipped grids first."""
    forms = _latest_versions(
        readable_forms(getattr(dac, "pk", dac)).only(
            "id", "dac_id", "code", "version", "title", "kind", "is_active"
        )
    )
    if not any(f.dac_id is None for f in forms):
        install_shipped_forms()
        return available_forms(dac)
    return sorted(
        (f for f in forms if f.is_active),
        key=lambda f: (f.dac_id is not None, f.kind != FormKind.MULTIDIMENSIONAL, f.title),
    )


def latest_assessment_on(episode):
    """The date of the episode's last completed assessment (None if none), for the alerts."""
    return episode.assessments.filter(status=AssessmentStatus.COMPLETED).aggregate(
        last=Max("assessed_on")
    )["last"]


# --- Assessments -----------------------------------------------------------------------------

ASSESSMENT_FIELDS = ("assessed_on", "place", "participants", "summary")


def _field_errors(fields: dict) -> dict:
    errors = {}
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    if "assessed_on" in fields:
        day = fields["assessed_on"]
        if day is None:
            errors["assessed_on"] = "Indiquez la date de l'évaluation."
        elif day > timezone.localdate():
            errors["assessed_on"] = "La date de l'évaluation ne peut pas être dans le futur."
    if "place" in fields and fields["place"] not in AssessmentPlace.values:
        errors["place"] = "Indiquez où l'évaluation a eu lieu."
    if len(fields.get("participants") or "") > MAX_PARTICIPANTS:
        errors["participants"] = f"{MAX_PARTICIPANTS} caractères au plus."
    return errors


def _require_draft(membership, assessment: Assessment) -> None:
    require(membership, "care", "change", assessment.episode)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(
            "Cette évaluation est terminée : elle ne se modifie plus. Pour une situation qui a "
            "changé, commencez une nouvelle évaluation."
        )


def _prepare(assessment: Assessment, answers, needs, fields) -> tuple[dict, list, dict]:
    """Clean the answers, needs and fields; all errors at once, nothing written."""
    definition = assessment.form.definition
    errors = _field_errors(fields)
    saved = assessment.answers or {}
    if answers is None:
        answers = {k: v for k, v in saved.items() if k != NEEDS_KEY}
    if needs is None:
        needs = answers.get(NEEDS_KEY, saved.get(NEEDS_KEY, []))
    cleaned, answer_errors = clean_answers(definition, answers)
    cleaned_needs, need_errors = clean_needs(definition, needs)
    errors.update(answer_errors)
    errors.update(need_errors)
    return cleaned, cleaned_needs, errors


@transaction.atomic
def start_assessment(
    membership, episode, form: AssessmentForm, *, assessed_on, place, participants=""
) -> Assessment:
    """Open a draft assessment of the episode with the latest version of a grid available to
    the episode's DAC."""
    require(membership, "care", "change", episode)
    if not episode.is_open:
        raise ValidationError(
            "L'accompagnement est clôturé : une nouvelle évaluation demande de le rouvrir."
        )
    latest = (
        AssessmentForm.objects.filter(dac_id=form.dac_id, code=form.code)
        .order_by("-version")
        .values_list("pk", "is_active")
        .first()
    )
    if form.dac_id not in (None, episode.dac_id) or latest != (form.pk, True):
        raise ValidationError("Cette grille n'est pas proposée par le DAC.")
    fields = {"assessed_on": assessed_on, "place": place, "participants": participants or ""}
    errors = _field_errors(fields)
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        episode=episode,
        form=form,
        author=membership.user,
        status=AssessmentStatus.DRAFT,
        **{**fields, "participants": fields["participants"].strip()},
    )
    record_event(
        episode,
        "assessment_started",
        actor=membership.user,
        assessment=assessment.pk,
        form=form.code,
        version=form.version,
        title=form.title,
    )
    return assessment


@transaction.atomic
def save_assessment(
    membership, assessment: Assessment, answers, *, expected_version, needs=None, **fields
) -> Assessment:
    """Save a draft's answers (and needs, date, place, participants, summary). Refused if
    someone saved it since `expected_version` (optimistic locking)."""
    _require_draft(membership, assessment)
    cleaned, cleaned_needs, errors = _prepare(assessment, answers or {}, needs, fields)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(assessment, name, value.strip() if isinstance(value, str) else value)
    assessment.answers = {**cleaned, NEEDS_KEY: cleaned_needs} if cleaned_needs else cleaned
    save_locked(assessment, expected_version)
    record_event(assessment, "assessment_saved", actor=membership.user)
    return assessment


@transaction.atomic
def complete_assessment(
    membership,
    assessment: Assessment,
    *,
    expected_version,
    answers=None,
    needs=None,
    **fields,
) -> Assessment:
    """Complete a draft: check every required answer, compute the result (the GIR for AGGIR),
    record the problems / uncovered needs as `Need` rows of the episode. Without `answers` (or
    `needs`), those of the saved draft are used."""
    _require_draft(membership, assessment)
    cleaned, cleaned_needs, errors = _prepare(assessment, answers, needs, fields)
    definition = assessment.form.definition
    if not errors:
        errors = completion_errors(definition, cleaned, cleaned_needs)
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(assessment, name, value.strip() if isinstance(value, str) else value)
    result, gir = compute_result(definition, cleaned)
    assessment.answers = cleaned
    assessment.result = result
    assessment.gir = gir
    assessment.status = AssessmentStatus.COMPLETED
    assessment.completed_at = timezone.now()
    save_locked(assessment, expected_version)
    positions = defaultdict(int)
    for item in cleaned_needs:
        Need.objects.create(
            episode_id=assessment.episode_id,
            assessment=assessment,
            domain=item["domain"],
            description=item["description"],
            position=positions[item["domain"]],
        )
        positions[item["domain"]] += 1
    record_event(
        assessment.episode,
        "assessment_completed",
        actor=membership.user,
        assessment=assessment.pk,
        form=assessment.form.code,
        gir=gir,
        needs=len(cleaned_needs),
    )
    return assessment


# --- The DAC's own grids ---------------------------------------------------------------------


def form_scope(queryset, membership, value):
    """`assessment_form` rights: `org` reaches the grids of the user's DAC (never the shipped
    ones, which no DAC edits)."""
    if value == "org":
        return queryset.filter(dac_id=membership.organisation_id)
    return queryset.none()


def _form_code(dac_id, title: str) -> str:
    base = slugify(title)[:50].strip("-") or "grille"
    taken = set(
        AssessmentForm.objects.filter(dac_id=dac_id, code__startswith=base).values_list(
            "code", flat=True
        )
    ) | set(SHIPPED)
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _clean_form_fields(title, description, definition) -> tuple[str, str]:
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = "Donnez un intitulé à la grille."
    elif len(title) > 200:
        errors["title"] = "200 caractères au plus."
    try:
        validate_definition(definition)
    except ValidationError as error:
        errors["definition"] = error.messages
    if errors:
        raise ValidationError(errors)
    return title, (description or "").strip()


@transaction.atomic
def create_form(membership, *, title, description="", definition) -> AssessmentForm:
    """A new grid of the membership's DAC (version 1, proposed)."""
    require(membership, "assessment_form", "change")
    title, description = _clean_form_fields(title, description, definition)
    dac_id = membership.organisation_id
    form = AssessmentForm.objects.create(
        dac_id=dac_id,
        code=_form_code(dac_id, title),
        version=1,
        title=title,
        description=description,
        kind=FormKind.OTHER,
        definition=definition,
        is_active=True,
    )
    record_event(form, "assessment_form_created", actor=membership.user, code=form.code)
    return form


def _lock_latest(membership, form) -> AssessmentForm:
    require(membership, "assessment_form", "change", form)
    latest = (
        AssessmentForm.objects.select_for_update()
        .filter(dac_id=form.dac_id, code=form.code)
        .order_by("-version")
        .first()
    )
    if latest.pk != form.pk:
        raise ValidationError(
            f"Une version plus récente de cette grille existe (version {latest.version}) : "
            "partez de celle-ci."
        )
    return latest


@transaction.atomic
def revise_form(membership, form, *, title, description="", definition) -> AssessmentForm:
    """Editing a grid makes its next version; assessments already filled keep theirs."""
    latest = _lock_latest(membership, form)
    title, description = _clean_form_fields(title, description, definition)
    if (
        title == latest.title
        and description == latest.description
        and definition == latest.definition
    ):
        raise ValidationError(
            "Aucune modification : la grille est identique à la version actuelle."
        )
    AssessmentForm.objects.filter(pk=latest.pk).update(is_active=False)
    revised = AssessmentForm.objects.create(
        dac_id=latest.dac_id,
        code=latest.code,
        version=latest.version + 1,
        title=title,
        description=description,
        kind=latest.kind,
        definition=definition,
        is_active=latest.is_active,
    )
    record_event(
        revised,
        "assessment_form_revised",
        actor=membership.user,
        code=revised.code,
        previous=latest.pk,
        version=revised.version,
    )
    return revised


@transaction.atomic
def set_form_active(membership, form, active: bool) -> AssessmentForm:
    """Stop (or resume) proposing a grid for new assessments; those filled stay readable."""
    latest = _lock_latest(membership, form)
    if latest.is_active == active:
        return latest
    latest.is_active = active
    latest.save(update_fields=["is_active", "updated_at", "updated_by"])
    record_event(
        latest,
        "assessment_form_reactivated" if active else "assessment_form_deactivated",
        actor=membership.user,
        code=latest.code,
    )
    return latest


# --- The text format of the grid editor ------------------------------------------------------

FORMAT_TYPES = {
    "texte": "text",
    "oui/non": "yes_no",
    "choix": "choice",
    "nombre": "number",
    "a/b/c": "abc",
    "besoins": "needs",
}
TYPE_WORDS = {v: k for k, v in FORMAT_TYPES.items() if v != "needs"}
NEEDS_LINE = "Problèmes et besoins non couverts [besoins]"

_DOMAIN_LINE = re.compile(r"^#\s*(?P<label>.*)$")
_HELP_LINE = re.compile(r"^\?\s*(?P<text>.*)$")
_OPTION_LINE = re.compile(r"^-\s*(?P<label>.*?)(?:\s*=\s*(?P<score>[^=]*))?$")
_QUESTION_LINE = re.compile(r"^(?P<label>.*?)\s*\[(?P<type>[^\]]*)\]\s*(?P<required>\*)?$")
_BAND_LINE = re.compile(
    r"^=\s*(?P<min>-?\d+)\s*(?:(?:à|-)\s*(?P<max>-?\d+)|(?P<open>et plus))\s*:\s*(?P<label>.+)$"
)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", "", text.lower())


def _code(label: str, taken: set, prefix: str) -> str:
    base = slugify(label).replace("-", "_")[:50].strip("_") or prefix
    if not base[0].isalpha():
        base = f"{prefix}_{base}"[:50]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    taken.add(code)
    return code


_DOMAIN_BY_LABEL = {_plain(label): code for code, label in NEED_DOMAINS.items()}


def parse_form_text(text: str) -> dict:
    """The definition written in the editor's text format (see `FORMAT_HELP` in the forms):

        # Domain title
        ? help of the domain
        Question label [texte | oui/non | choix | nombre | A/B/C] *   (* = required)
        ? help of the question
        - Option label = score                                      (options of a [choix])
        Problèmes et besoins non couverts [besoins]
        = 0 à 4 : band label                                         (bands of the total score)

    Raises ValidationError with one French message per wrong line."""
    errors: list[str] = []
    domains: list[dict] = []
    bands: list[dict] = []
    domain_codes: set = set()
    question_codes: set = set()
    domain = question = None
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"Ligne {number} : "
        if match := _DOMAIN_LINE.match(line):
            label = match["label"].strip()
            if not label:
                errors.append(where + "donnez un titre au domaine après « # ».")
                continue
            code = _DOMAIN_BY_LABEL.get(_plain(label))
            if code in domain_codes:
                errors.append(where + f"le domaine « {label} » existe déjà plus haut.")
                continue
            if code:
                domain_codes.add(code)
            else:
                code = _code(label, domain_codes, "domaine")
            domain = {"code": code, "label": label, "help": "", "questions": []}
            domains.append(domain)
            question = None
        elif match := _HELP_LINE.match(line):
            target = question or domain
            if target is None:
                errors.append(where + "une aide (« ? ») suit un domaine ou une question.")
            else:
                target["help"] = (target["help"] + " " + match["text"].strip()).strip()
        elif match := _BAND_LINE.match(line):
            bands.append(
                {
                    "min": int(match["min"]),
                    "max": None if match["open"] else int(match["max"]),
                    "label": match["label"].strip(),
                }
            )
        elif line.startswith("="):
            errors.append(
                where + "une tranche de score s'écrit « = 0 à 4 : Libellé » ou "
                "« = 10 et plus : Libellé »."
            )
        elif match := _OPTION_LINE.match(line):
            if question is None or question["type"] != "choice":
                errors.append(where + "une option (« - ») suit une question de type [choix].")
                continue
            label = match["label"].strip()
            if not label:
                errors.append(where + "donnez un libellé à l'option après « - ».")
                continue
            option = {
                "value": _code(label, question.setdefault("_values", set()), "option"),
                "label": label,
            }
            if match["score"] is not None:
                try:
                    option["score"] = int(match["score"].strip())
                except ValueError:
                    errors.append(
                        where + f"le score « {match['score'].strip()} » n'est pas un nombre entier."
                    )
                    continue
            question["options"].append(option)
        elif match := _QUESTION_LINE.match(line):
            kind = FORMAT_TYPES.get(_plain(match["type"]))
            label = match["label"].strip()
            if domain is None:
                errors.append(
                    where + "une question appartient à un domaine : commencez par une ligne "
                    "« # Titre du domaine »."
                )
                continue
            if kind is None:
                errors.append(
                    where + f"type « {match['type'].strip()} » inconnu. Types possibles : "
                    "[texte], [oui/non], [choix], [nombre], [A/B/C], [besoins]."
                )
                continue
            if kind == "needs":
                if domain["code"] not in NEED_DOMAINS:
                    errors.append(
                        where + "les problèmes et besoins se relèvent dans un domaine de "
                        "l'évaluation multidimensionnelle : "
                        + ", ".join(NEED_DOMAINS.values())
                        + "."
                    )
                domain["needs"] = True
                question = None
                continue
            if not label:
                errors.append(where + "donnez un libellé à la question avant le type.")
                continue
            question = {
                "code": _code(label, question_codes, "question"),
                "label": label,
                "type": kind,
                "help": "",
            }
            if match["required"]:
                question["required"] = True
            if kind == "choice":
                question["options"] = []
            domain["questions"].append(question)
        else:
            errors.append(
                where + "ligne non comprise. Une question se termine par son type entre "
                "crochets, par exemple « Chutes récentes [oui/non] »."
            )
    for domain in domains:
        for question in domain["questions"]:
            question.pop("_values", None)
            if question["type"] == "choice" and len(question["options"]) < 2:
                errors.append(
                    f"La question « {question['label']} » doit proposer au moins deux options "
                    "(lignes « - Option » sous la question)."
                )
    if not domains and not errors:
        errors.append("Écrivez au moins un domaine (« # Titre ») et ses questions.")
    if errors:
        raise ValidationError(errors)
    definition = {"domains": domains}
    scored = any(
        o.get("score") is not None
        for _, q in iter_questions(definition)
        for o in q.get("options", [])
    )
    if bands and not scored:
        raise ValidationError(
            "Des tranches de score sont écrites mais aucune option n'a de score "
            "(« - Libellé = 2 »)."
        )
    if scored:
        definition["scoring"] = {"method": "sum", "bands": bands}
    validate_definition(definition)
    return definition


def form_text(definition: dict) -> str:
    """A definition in the editor's text format (the inverse of `parse_form_text`)."""
    lines: list[str] = []
    for domain in definition.get("domains", []):
        if lines:
            lines.append("")
        lines.append(f"# {domain['label']}")
        if domain.get("help"):
            lines.append(f"? {domain['help']}")
        for question in domain.get("questions", []):
            word = {"yes_no": "oui/non", "abc": "A/B/C"}.get(
                question["type"], TYPE_WORDS.get(question["type"], "texte")
            )
            lines.append(
                f"{question['label']} [{word}]" + (" *" if question.get("required") else "")
            )
            if question.get("help"):
                lines.append(f"? {question['help']}")
            for option in question.get("options", []):
                score = option.get("score")
                lines.append(f"- {option['label']}" + (f" = {score}" if score is not None else ""))
        if domain.get("needs"):
            lines.append(NEEDS_LINE)
    bands = (definition.get("scoring") or {}).get("bands", [])
    if bands:
        lines.append("")
    for band in bands:
        span = "et plus" if band.get("max") is None else f"à {band['max']}"
        lines.append(f"= {band['min']} {span} : {band['label']}")
    return "\n".join(lines) + "\n"


# --- Episode page block, verbs ---------------------------------------------------------------


def assessments_section(request, episode) -> dict:
    """The episode page's block: the latest completed assessment of each grid, drafts count."""
    rows = list(
        episode.assessments.select_related("form")
        .annotate(needs_count=Count("needs"))
        .order_by("-assessed_on", "-id")[:100]
    )
    access = sharing.access(request.membership, episode.person)
    latest, drafts = {}, 0
    for row in care_sharing.visible_assessments(access, rows):
        row.result_label = (
            result_label(row) if care_sharing.sees_whole_assessment(access, row.form) else ""
        )
        if row.status == AssessmentStatus.DRAFT:
            drafts += 1
        elif (row.form.dac_id, row.form.code) not in latest:
            latest[(row.form.dac_id, row.form.code)] = row
    return {"latest_assessments": list(latest.values()), "draft_count": drafts}


VERBS: dict[str, str] = {
    "assessment_started": "Évaluation commencée",
    "assessment_saved": "Évaluation enregistrée (brouillon)",
    "assessment_completed": "Évaluation terminée",
    "assessment_form_created": "Création d'une grille d'évaluation",
    "assessment_form_revised": "Nouvelle version d'une grille d'évaluation",
    "assessment_form_deactivated": "Grille d'évaluation retirée des propositions",
    "assessment_form_reactivated": "Grille d'évaluation de nouveau proposée",
}


def register() -> None:
    """Called once from CareConfig.ready(): the episode page's block, the grids' scope, verbs."""
    from appui.core.models import VERB_LABELS
    from appui.core.permissions import register_scope

    from .sections import register_section

    register_scope("assessment_form", form_scope)
    register_section(
        "assessments",
        20,
        "care/assessments/_section.html",
        assessments_section,
        categories=care_sharing.ASSESSMENT_CATEGORIES,
    )
    VERB_LABELS.update(VERBS)
