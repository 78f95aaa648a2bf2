"""The Pilotage hub: one card per tool, shown only to whoever may use it.

The list is data: (URL name, title, text, (object, action) of the permissions matrix). A card
whose page is not installed (its URL name does not resolve) is skipped, so the hub never breaks
while the tools arrive one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from appui.core.permissions import can


@dataclass(frozen=True)
class Card:
    url_name: str
    title: str
    text: str
    grant: tuple[str, str]


CARDS: tuple[Card, ...] = (
    Card(
        "reporting:dashboard",
        "Tableau de bord",
        "Les indicateurs du DAC sur une période, comparés à la période précédente, avec la "
        "liste derrière chaque chiffre et l'export CSV ou tableur.",
        ("indicator", "view"),
    ),
    Card(
        "reporting:report",
        "Rapport d'activité",
        "Le rapport annuel : indicateurs de l'année, commentaires de la direction, PDF et "
        "tableur à transmettre.",
        ("activity_report", "view"),
    ),
    Card(
        "reporting:contracts",
        "CPOM",
        "Le contrat avec l'ARS : objectifs, cibles annuelles et revue annuelle comparant la "
        "cible et le réalisé.",
        ("contract", "view"),
    ),
    Card(
        "reporting:ledger",
        "Prestations dérogatoires",
        "Les prestations payées par le DAC (psychologue, diététicien·ne, ergothérapeute…) et "
        "le budget annuel.",
        ("derogatory_service", "list"),
    ),
    Card(
        "reporting:quality",
        "Auto-évaluation qualité",
        "Le questionnaire annuel de qualité (10 critères), pré-rempli à partir des données, et "
        "l'historique des scores.",
        ("quality_assessment", "view"),
    ),
    Card(
        "reporting:regional",
        "Vue régionale",
        "Les indicateurs des DAC de la région côte à côte et cumulés, sans donnée personnelle.",
        ("regional_indicator", "view"),
    ),
    Card(
        "reporting:coverage",
        "Cartographie",
        "Quelles structures de coordination couvrent quelles communes et quelles populations.",
        ("coverage", "view"),
    ),
)


def cards_for(membership) -> list[dict]:
    """The cards this membership may open, with their resolved address."""
    cards = []
    for card in CARDS:
        if not can(membership, *card.grant):
            continue
        try:
            url = reverse(card.url_name)
        except NoReverseMatch:
            continue
        cards.append(
            {"url": url, "title": card.title, "text": card.text, "url_name": card.url_name}
        )
    return cards


def may_use_hub(membership) -> bool:
    """Whether the membership may use at least one tool of the hub (installed or not yet)."""
    return any(can(membership, *card.grant) for card in CARDS)
