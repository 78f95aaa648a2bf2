"""A person's events in words (the history block of the person page)."""

from .enums import IdentityEvidence, IdentityStatus, Relationship
from .models import Person

STATUS = dict(IdentityStatus.choices)
EVIDENCE = dict(IdentityEvidence.choices)
RELATIONSHIP = dict(Relationship.choices)


def _field_label(name: str) -> str:
    try:
        return str(Person._meta.get_field(name.removesuffix("_id")).verbose_name)
    except Exception:  # noqa: BLE001 — a field renamed since the event keeps its code name
        return name


def _reason(data) -> str:
    return f" — motif : {data['reason']}" if data.get("reason") else ""


def describe(event) -> str:
    data, verb = event.data or {}, event.verb
    if verb == "created":
        dismissed = data.get("dismissed_candidates") or []
        if dismissed:
            listed = ", ".join(f"n° {d['person']} (score {d['score']})" for d in dismissed)
            return f"Créé après examen des doublons possibles, écartés : {listed}."
        return "Aucun doublon possible trouvé à la création."
    if verb == "updated":
        fields = [_field_label(f) for f in data.get("fields", [])]
        return ("Champs : " + ", ".join(fields) + ".") if fields else ""
    if verb in ("identity_changed", "identity_downgraded"):
        text = f"{STATUS.get(data.get('status'), '')} (avant : {STATUS.get(data.get('previous'), '—').lower()})"
        if data.get("evidence"):
            text += f" ; justificatif : {EVIDENCE.get(data['evidence'], data['evidence'])}"
        if data.get("insi_queried_on"):
            text += " ; INSi interrogé"
        if data.get("doubtful"):
            text += " ; identité douteuse"
        if data.get("fictitious"):
            text += " ; identité fictive"
        return text + "."
    if verb in ("carer_added", "carer_updated"):
        text = RELATIONSHIP.get(data.get("relationship"), "")
        if data.get("legal_representative"):
            text += ", représentant·e légal·e"
        return text
    if verb == "declared_distinct":
        return f"Distinct du dossier n° {data.get('other')}."
    if verb == "merge_absorbed":
        return f"Dossier n° {data.get('merged')} fusionné dans celui-ci{_reason(data)}."
    if verb == "merged_into":
        return f"Fusionné dans le dossier n° {data.get('kept')}{_reason(data)}."
    if verb == "merge_undone":
        other = data.get("merged") or data.get("kept")
        return f"Fusion avec le dossier n° {other} annulée{_reason(data)}."
    if verb == "found_on_entry":
        return "Retrouvé lors de la saisie d'une nouvelle personne : aucun doublon créé."
    return ""
