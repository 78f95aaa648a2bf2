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
    return f", motif : {data['reason']}" if data.get("reason") else ""


def describe(event) -> str:
    data, verb = event.data or {}, event.verb
    if verb == "created":
        dismissed = data.get("dismissed_candidates") or []
        if dismissed:
            listed = ", ".join(f"n° {d['person']} (score {d['score']})" for d in dismissed)
            return f"après examen des doublons possibles, écartés : {listed}"
        return "aucun doublon possible trouvé"
    if verb == "updated":
        fields = [_field_label(f) for f in data.get("fields", [])]
        return ", ".join(fields)
    if verb in ("identity_changed", "identity_downgraded"):
        text = f"{STATUS.get(data.get('status'), '').lower()} (avant : {STATUS.get(data.get('previous'), '—').lower()})"
        if data.get("evidence"):
            text += f" ; justificatif : {EVIDENCE.get(data['evidence'], data['evidence'])}"
        if data.get("insi_queried_on"):
            text += " ; INSi interrogé"
        if data.get("doubtful"):
            text += " ; identité douteuse"
        if data.get("fictitious"):
            text += " ; identité fictive"
        return text
    if verb in ("carer_added", "carer_updated"):
        text = RELATIONSHIP.get(data.get("relationship"), "").lower()
        if data.get("legal_representative"):
            text += ", représentant·e légal·e"
        return text
    if verb == "declared_distinct":
        return f"dossier n° {data.get('other')}"
    if verb == "merge_absorbed":
        return f"dossier n° {data.get('merged')}{_reason(data)}"
    if verb == "merged_into":
        return f"dans le dossier n° {data.get('kept')}{_reason(data)}"
    if verb == "merge_undone":
        other = data.get("merged") or data.get("kept")
        return f"avec le dossier n° {other}{_reason(data)}"
    if verb == "found_on_entry":
        return "reconnu lors d'une nouvelle saisie, aucun doublon créé"
    return ""
