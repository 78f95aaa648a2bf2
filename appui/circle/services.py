"""The care circle of a person: its members, the person's objections, the invitations of external
professionals, and the DAC's sharing settings. One function per state change: it checks the
right, validates (French refusals next to the field), writes, records the event, in one
transaction. Every change drops the cached sharing answers (`core.sharing.forget`); the policy
reads the circle and the objections on each request, so a change is effective at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from appui.accounts.models import Membership, User
from appui.care.enums import ConsentGivenBy, EpisodeStatus
from appui.care.models import CareEpisode
from appui.core import sharing
from appui.core.enums import SensitivityCategory
from appui.core.models import record_event
from appui.core.permissions import require
from appui.persons.models import Carer
from appui.territory.models import Organisation, Professional

from . import policy
from .enums import ExpressedHow, JoinedHow, MemberKind, NotificationKind, ObjectionScope
from .models import CareCircle, CareCircleMember, Invitation, Objection, SharingDefault
from .notifications import notify

#: How long an invitation link stays valid.
INVITATION_VALIDITY = timedelta(days=14)

VERBS = {
    "member_added": "Membre ajouté au cercle de soins",
    "member_left": "Membre sorti du cercle de soins",
    "objection_recorded": "Opposition au partage enregistrée",
    "objection_withdrawn": "Opposition au partage levée",
    "circle_invitation_sent": "Invitation à rejoindre Appui envoyée",
    "circle_invitation_accepted": "Invitation acceptée, compte partenaire créé",
    "sharing_settings_changed": "Règles de partage du DAC modifiées",
    "partner_account_created": "Compte partenaire créé sur invitation",
}


def _require_change(actor, person) -> None:
    require(actor, "care_circle", "change", person)


def circle_for(person) -> CareCircle:
    """The person's circle (one per person, across episodes), created on first use."""
    circle, _ = CareCircle.objects.get_or_create(person=person)
    return circle


def open_episode(person):
    """The person's open, unarchived episode with their DAC (the DAC team's place in the circle)."""
    return (
        CareEpisode.objects.filter(
            person_id=person.pk,
            dac_id=person.dac_id,
            status=EpisodeStatus.OPEN,
            archived_at__isnull=True,
        )
        .select_related("referent", "case_manager")
        .order_by("-opened_on", "-pk")
        .first()
    )


def is_dac_staff(user, dac_id) -> bool:
    return Membership.objects.filter(
        user=user, organisation_id=dac_id, role__in=policy.CIRCLE_STAFF_ROLES, is_active=True
    ).exists()


# --- Members ---------------------------------------------------------------------------------

_TARGET_FIELD = {
    MemberKind.STAFF: "user",
    MemberKind.PROFESSIONAL: "professional",
    MemberKind.ORGANISATION: "organisation",
    MemberKind.CARER: "carer",
}


@transaction.atomic
def add_member(
    person,
    *,
    kind,
    user=None,
    professional=None,
    organisation=None,
    carer=None,
    role_label="",
    joined_how=JoinedHow.ADDED,
    actor,
    start_date=None,
) -> CareCircleMember:
    """Add a member to the person's circle (`actor`: the acting membership)."""
    _require_change(actor, person)
    targets = {
        "user": user,
        "professional": professional,
        "organisation": organisation,
        "carer": carer,
    }
    if kind not in MemberKind.values:
        raise ValidationError({"kind": "Choisissez le type de membre."})
    field_name = _TARGET_FIELD[kind]
    target = targets[field_name]
    if target is None:
        raise ValidationError({field_name: "Choisissez le membre à ajouter."})
    # Only the target of its kind is stored (a professional's account comes through their record).
    targets = {name: (value if name == field_name else None) for name, value in targets.items()}
    if joined_how not in JoinedHow.values:
        raise ValidationError({"joined_how": "Indiquez comment ce membre rejoint le cercle."})
    start_date = start_date or timezone.localdate()
    if start_date > timezone.localdate():
        raise ValidationError({"start_date": "La date d'arrivée ne peut pas être dans le futur."})
    if kind == MemberKind.STAFF and not is_dac_staff(user, person.dac_id):
        raise ValidationError(
            {"user": "Seule l'équipe du DAC qui accompagne la personne peut être ajoutée ici."}
        )
    if kind == MemberKind.CARER and carer.person_id != person.pk:
        raise ValidationError({"carer": "Ce proche n'est pas un proche de cette personne."})
    if kind == MemberKind.ORGANISATION and organisation.pk == person.dac_id:
        raise ValidationError(
            {
                "organisation": "Le DAC fait déjà partie du cercle tant qu'il accompagne la "
                "personne : ajoutez plutôt un membre de l'équipe nommément."
            }
        )
    circle = CareCircle.objects.select_for_update().get(pk=circle_for(person).pk)
    already = (
        CareCircleMember.objects.filter(circle=circle, kind=kind, **{field_name: target})
        .filter(policy._active_member_q())
        .exists()
    )
    if already:
        raise ValidationError(f"{target} fait déjà partie du cercle de soins.")
    member = CareCircleMember.objects.create(
        circle=circle,
        kind=kind,
        role_label=role_label.strip(),
        joined_how=joined_how,
        start_date=start_date,
        **targets,
    )
    record_event(
        person,
        "member_added",
        member=member.pk,
        kind=kind,
        name=str(target),
        role_label=member.role_label,
        joined_how=joined_how,
    )
    account = user if kind == MemberKind.STAFF else getattr(professional, "user", None)
    if account is not None:
        notify(
            [account],
            NotificationKind.CIRCLE,
            "Vous faites désormais partie du cercle de soins d'une personne accompagnée",
            reverse("circle:circle", args=[person.pk]),
            person_id=person.pk,
        )
    sharing.forget(actor)
    return member


@transaction.atomic
def end_member(member, end_date, reason, actor) -> CareCircleMember:
    """A member leaves the circle (date and reason); the row stays, with its history."""
    person = member.circle.person
    _require_change(actor, person)
    member = CareCircleMember.objects.select_for_update().get(pk=member.pk)
    errors = {}
    if member.end_date is not None:
        raise ValidationError("Ce membre a déjà quitté le cercle de soins.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Indiquez le motif de la sortie du cercle."
    if end_date is None:
        errors["end_date"] = "Indiquez la date de sortie."
    elif end_date > timezone.localdate():
        errors["end_date"] = "La date de sortie ne peut pas être dans le futur."
    elif end_date < member.start_date:
        errors["end_date"] = "La date de sortie est antérieure à l'arrivée dans le cercle."
    if errors:
        raise ValidationError(errors)
    member.end_date, member.end_reason = end_date, reason
    member.save(update_fields=["end_date", "end_reason", "updated_at"])
    record_event(
        person,
        "member_left",
        member=member.pk,
        name=member.display_name,
        end_date=end_date.isoformat(),
        reason=reason,
    )
    sharing.forget(actor)
    return member


# --- Objections ------------------------------------------------------------------------------


def _objection_target(person, target) -> dict:
    """Whom the objection applies to: copied from the member, or the médecin traitant."""
    if isinstance(target, Professional):
        if target.pk != person.gp_id:
            raise ValidationError({"target": "Ce professionnel n'est pas le médecin traitant."})
        return {"member": None, "user": None, "professional": target, "organisation": None}
    if not isinstance(target, CareCircleMember) or target.circle.person_id != person.pk:
        raise ValidationError({"target": "Choisissez un membre du cercle de cette personne."})
    if target.kind == MemberKind.CARER:
        raise ValidationError(
            {"target": "Un proche n'a pas accès au dossier dans Appui : rien à restreindre."}
        )
    return {
        "member": target,
        "user": target.user,
        "professional": target.professional,
        "organisation": target.organisation,
    }


@transaction.atomic
def record_objection(
    person,
    *,
    target,
    scope,
    categories=(),
    own_actions_only=False,
    expressed_on,
    expressed_how,
    expressed_by=ConsentGivenBy.PERSON,
    legal_representative=None,
    note="",
    actor,
) -> Objection:
    """The person objects to sharing with one member (exclusion, or restriction to some
    categories, possibly to the PPCS actions this member carries). Effective immediately."""
    from appui.care.services import legal_representatives, representative_errors

    _require_change(actor, person)
    errors = {}
    try:
        whom = _objection_target(person, target)
    except ValidationError as error:
        raise error from None
    if scope not in ObjectionScope.values:
        errors["scope"] = "Choisissez la portée de l'opposition."
    categories = list(dict.fromkeys(categories or ()))
    if scope == ObjectionScope.EXCLUDE:
        categories, own_actions_only = [], False
    elif scope == ObjectionScope.RESTRICT:
        unknown = [c for c in categories if c not in SensitivityCategory.values]
        if unknown:
            errors["categories"] = "Catégorie inconnue : " + ", ".join(unknown) + "."
        elif not categories:
            errors["categories"] = (
                "Choisissez au moins une catégorie que la personne accepte encore de partager, "
                "ou choisissez d'exclure ce membre."
            )
        elif own_actions_only and SensitivityCategory.PLAN not in categories:
            errors["own_actions_only"] = (
                "« Seulement ses actions du PPCS » suppose que le PPCS reste partagé : cochez la "
                "catégorie Plan d'accompagnement."
            )
    if expressed_on is None:
        errors["expressed_on"] = "Indiquez la date à laquelle la personne l'a exprimée."
    elif expressed_on > timezone.localdate():
        errors["expressed_on"] = "La date ne peut pas être dans le futur."
    if expressed_how not in ExpressedHow.values:
        errors["expressed_how"] = "Indiquez comment la personne l'a exprimée."
    representatives = list(legal_representatives(person))
    errors.update(
        representative_errors(
            person,
            representatives,
            expressed_by,
            legal_representative,
            field="expressed_by",
            missing="Indiquez qui l'a exprimée.",
            done="l'opposition est exprimée",
            choose="Choisissez le représentant légal qui l'a exprimée.",
        )
    )
    if errors:
        raise ValidationError(errors)
    active = Objection.objects.filter(person=person, withdrawn_on__isnull=True)
    if whom["member"] is not None:
        active = active.filter(member=whom["member"])
    else:
        active = active.filter(member__isnull=True, professional=whom["professional"])
    if active.exists():
        raise ValidationError(
            "Une opposition est déjà en cours pour ce membre : levez-la avant d'en enregistrer "
            "une autre."
        )
    objection = Objection.objects.create(
        person=person,
        scope=scope,
        categories=categories,
        own_actions_only=bool(own_actions_only),
        expressed_on=expressed_on,
        expressed_how=expressed_how,
        expressed_by=expressed_by,
        legal_representative=legal_representative
        if expressed_by == ConsentGivenBy.LEGAL_REPRESENTATIVE
        else None,
        note=(note or "").strip(),
        recorded_by=actor.user,
        **whom,
    )
    record_event(
        person,
        "objection_recorded",
        objection=objection.pk,
        target=_target_label(objection),
        scope=scope,
        categories=categories,
        own_actions_only=objection.own_actions_only,
        expressed_on=expressed_on.isoformat(),
        expressed_how=expressed_how,
    )
    episode = open_episode(person)
    if episode is not None:
        notify(
            [episode.referent, episode.case_manager],
            NotificationKind.OBJECTION,
            "Une personne que vous accompagnez a exprimé une opposition au partage",
            reverse("circle:circle", args=[person.pk]),
            person_id=person.pk,
        )
    sharing.forget(actor)
    return objection


@transaction.atomic
def withdraw_objection(objection, withdrawn_on, note, actor) -> Objection:
    """The person withdraws their objection (dated); the objection stays in the history."""
    _require_change(actor, objection.person)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.withdrawn_on is not None:
        raise ValidationError("Cette opposition est déjà levée.")
    if withdrawn_on is None:
        raise ValidationError({"withdrawn_on": "Indiquez la date de la levée."})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": "La date ne peut pas être dans le futur."})
    if withdrawn_on < objection.expressed_on:
        raise ValidationError(
            {"withdrawn_on": "La levée ne peut pas précéder l'expression de l'opposition."}
        )
    objection.withdrawn_on = withdrawn_on
    objection.withdrawn_by = actor.user
    objection.withdrawal_note = (note or "").strip()
    objection.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_note", "updated_at"])
    record_event(
        objection.person,
        "objection_withdrawn",
        objection=objection.pk,
        target=_target_label(objection),
        withdrawn_on=withdrawn_on.isoformat(),
    )
    sharing.forget(actor)
    return objection


def _target_label(objection) -> str:
    """ "M. Thomas Vasseur (Masseur-kinésithérapeute)", a structure's name, or a staff member."""
    if objection.professional_id:
        professional = objection.professional
        return f"{professional.display_name} ({professional.get_profession_display()})"
    if objection.organisation_id:
        return objection.organisation.name
    if objection.user_id:
        return objection.user.get_full_name() or objection.user.email
    return "un membre du cercle"


def _pronoun(objection) -> str:
    civility = objection.professional.civility if objection.professional_id else ""
    return {"Mme": "elle", "M.": "il"}.get(civility, "il/elle")


def objection_badges(objection) -> list[str]:
    """The short labels shown next to the member: "Exclu·e par la personne", "Limité·e à : …",
    "seulement les actions dont il/elle est responsable"."""
    if objection.scope == ObjectionScope.EXCLUDE:
        return ["Exclu·e par la personne"]
    badges = ["Limité·e à : " + ", ".join(objection.category_labels)]
    if objection.own_actions_only:
        badges.append(f"seulement les actions dont {_pronoun(objection)} est responsable")
    return badges


def _short_name(person) -> str:
    civility = {"F": "Mme", "M": "M."}.get(person.sex, "")
    return f"{civility} {(person.used_name or person.birth_name).title()}".strip()


def objection_notice(person, objection) -> str:
    who = _short_name(person)
    target = _target_label(objection)
    if objection.scope == ObjectionScope.EXCLUDE:
        what = f"{who} s'oppose à tout partage avec {target}"
    else:
        parts = []
        others = [
            f"« {label} »"
            for code, label in zip(objection.categories, objection.category_labels, strict=True)
            if code not in (SensitivityCategory.ADMINISTRATIVE, SensitivityCategory.PLAN)
        ]
        if others:
            parts.append("des données " + ", ".join(others))
        if objection.own_actions_only:
            parts.append(f"des actions du PPCS dont {_pronoun(objection)} est responsable")
        elif SensitivityCategory.PLAN in objection.categories:
            parts.append("du PPCS")
        beyond = " et ".join(parts) if parts else "de son identité administrative"
        what = f"{who} s'oppose au partage avec {target} au-delà {beyond}"
    how = ExpressedHow(objection.expressed_how).label.lower()
    by = (
        " par son représentant légal"
        if objection.expressed_by == ConsentGivenBy.LEGAL_REPRESENTATIVE
        and objection.expressed_how != ExpressedHow.REPRESENTATIVE
        else ""
    )
    return f"{what} — depuis le {objection.expressed_on:%d/%m/%Y}, exprimée {how}{by}"


def active_objections(person):
    return (
        Objection.objects.filter(person=person, withdrawn_on__isnull=True)
        .select_related("professional", "organisation", "user")
        .order_by("expressed_on", "pk")
    )


def objection_notices(person) -> list[str]:
    """Short French sentences, for the staff who would otherwise share, one per objection."""
    return [objection_notice(person, o) for o in active_objections(person)]


# --- The circle as the page shows it ---------------------------------------------------------


@dataclass
class CircleView:
    person: object
    circle: CareCircle | None
    episode: object | None
    gp: object | None
    members: list = field(default_factory=list)
    former: list = field(default_factory=list)
    gp_objection: object | None = None
    objections: list = field(default_factory=list)

    @property
    def count(self) -> int:
        team = 0
        if self.episode is not None:
            team = len({u.pk for u in (self.episode.referent, self.episode.case_manager) if u})
        return team + (1 if self.gp else 0) + len(self.members)


def circle_view(person) -> CircleView:
    """Who is in the circle now (the DAC team of the open episode, the médecin traitant, the
    explicit members) and who left, each member with their active objection. Few queries."""
    circle = CareCircle.objects.filter(person=person).first()
    members = []
    if circle is not None:
        members = list(
            CareCircleMember.objects.filter(circle=circle).select_related(
                "user", "professional__user", "organisation", "carer"
            )
        )
    objections = list(active_objections(person))
    by_member = {o.member_id: o for o in objections if o.member_id}
    gp = Professional.all_objects.filter(pk=person.gp_id).first() if person.gp_id else None
    gp_objection = next(
        (o for o in objections if o.member_id is None and gp and o.professional_id == gp.pk),
        None,
    )
    for member in members:
        member.objection = by_member.get(member.pk)
        member.badges = objection_badges(member.objection) if member.objection else []
        member.has_account = bool(
            member.user_id or (member.professional_id and member.professional.user_id)
        )
    if gp is not None:
        gp.objection = gp_objection
        gp.badges = objection_badges(gp_objection) if gp_objection else []
    return CircleView(
        person=person,
        circle=circle,
        episode=open_episode(person),
        gp=gp,
        members=[m for m in members if m.is_active],
        former=[m for m in members if not m.is_active],
        gp_objection=gp_objection,
        objections=objections,
    )


# --- Invitations -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invite(member, email, organisation, actor) -> tuple[Invitation, str]:
    """Invite by e-mail a professional member without an account: a one-time link, valid 14
    days, of which only the hash is stored. The e-mail names the DAC, never the person."""
    person = member.circle.person
    _require_change(actor, person)
    if member.kind != MemberKind.PROFESSIONAL or member.professional_id is None:
        raise ValidationError("Seul un·e professionnel·le du cercle peut être invité·e.")
    if not member.is_active:
        raise ValidationError("Ce membre a quitté le cercle de soins.")
    if member.professional.user_id is not None:
        raise ValidationError("Ce professionnel a déjà un compte Appui.")
    email = (email or "").strip().lower()
    errors = {}
    if not email:
        errors["email"] = "Indiquez l'adresse électronique du professionnel."
    elif User.objects.filter(email__iexact=email).exists():
        errors["email"] = "Un compte existe déjà avec cette adresse."
    if organisation is None:
        errors["organisation"] = "Choisissez la structure d'exercice du professionnel."
    elif organisation.pk == person.dac_id:
        errors["organisation"] = "Un partenaire n'exerce pas au sein du DAC."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # A new invitation replaces the ones still pending for this professional.
    Invitation.objects.filter(
        professional=member.professional, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        professional=member.professional,
        organisation=organisation,
        member=member,
        invited_by=actor.user,
        token_hash=token_hash(token),
        expires_at=now + INVITATION_VALIDITY,
    )
    record_event(
        person,
        "circle_invitation_sent",
        invitation=invitation.pk,
        member=member.pk,
        name=member.display_name,
        organisation=organisation.name,
    )
    dac_name = Organisation.objects.filter(pk=person.dac_id).values_list("name", flat=True).get()
    link = settings.APPUI_BASE_URL.rstrip("/") + reverse("circle:invitation_accept", args=[token])
    transaction.on_commit(lambda: _send_invitation(email, dac_name, link, invitation.expires_at))
    return invitation, token


def _send_invitation(email, dac_name, link, expires_at) -> None:
    send_mail(
        subject=f"[Appui] {dac_name} vous invite à rejoindre Appui",
        message=(
            f"Bonjour,\n\nLe {dac_name} (dispositif d'appui à la coordination) vous invite à "
            "créer votre compte Appui pour coordonner l'accompagnement de patients que vous "
            f"suivez.\n\nCréez votre compte avec ce lien, valable une seule fois, jusqu'au "
            f"{timezone.localtime(expires_at):%d/%m/%Y} :\n{link}\n\nSi vous n'attendiez pas "
            "cette invitation, ignorez ce message.\n\nAppui — ne pas répondre à ce message."
        ),
        from_email=None,
        recipient_list=[email],
        fail_silently=True,
    )


def invitation_for_token(token: str) -> tuple[Invitation | None, str]:
    """The invitation behind a link, or None and the French reason it cannot be used."""
    invitation = (
        Invitation.objects.select_related("professional", "organisation")
        .filter(token_hash=token_hash(token or ""))
        .first()
    )
    if invitation is None:
        return None, "Ce lien d'invitation n'est pas valide."
    if invitation.accepted_at is not None:
        return None, "Ce lien d'invitation a déjà servi : connectez-vous avec votre compte."
    if invitation.revoked_at is not None:
        return None, "Cette invitation a été annulée ou remplacée par une plus récente."
    if invitation.expires_at <= timezone.now():
        return None, "Ce lien d'invitation a expiré : demandez au DAC de vous inviter à nouveau."
    return invitation, ""


@transaction.atomic
def accept_invitation(token: str, *, first_name, last_name, password) -> User:
    """Create the partner account of an invitation (one time only) and return the user."""
    from appui.accounts.services import create_partner_account

    invitation, reason = invitation_for_token(token)
    if invitation is None:
        raise ValidationError(reason)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("Ce lien d'invitation a déjà servi.")
    user = create_partner_account(
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        password=password,
        professional=invitation.professional,
        organisation=invitation.organisation,
    )
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user", "updated_at"])
    if invitation.member_id:
        record_event(
            invitation.member.circle.person,
            "circle_invitation_accepted",
            actor=user,
            invitation=invitation.pk,
            member=invitation.member_id,
        )
    return user


def practice_organisation(professional):
    """The structure where the professional practises (primary place first), if any."""
    place = (
        professional.practice_places.filter(organisation__isnull=False)
        .select_related("organisation")
        .order_by("-is_primary", "pk")
        .first()
    )
    return place.organisation if place else None


# --- Sharing settings ------------------------------------------------------------------------


def sharing_grid(dac) -> dict[str, frozenset]:
    """Each profile's categories for this DAC: the defaults with the DAC's changes (without the
    rule that adds administrative to any right: the table shows what the DAC chose)."""
    grid = {profile: set(categories) for profile, categories in policy.DEFAULTS.items()}
    for profile, category, allowed in SharingDefault.objects.filter(dac=dac).values_list(
        "profile", "category", "allowed"
    ):
        if profile in grid:
            (grid[profile].add if allowed else grid[profile].discard)(category)
    return {profile: frozenset(categories) for profile, categories in grid.items()}


@transaction.atomic
def save_sharing_settings(dac, grid: dict, actor) -> list[dict]:
    """Store the DAC's grid as its differences from the defaults; returns the changes made."""
    require(actor, "sharing_settings", "change", dac)
    before = sharing_grid(dac)
    changes = []
    for profile, defaults in policy.DEFAULTS.items():
        wanted = frozenset(grid.get(profile, ()))
        for category in SensitivityCategory.values:
            allowed = category in wanted
            if (category in before[profile]) != allowed:
                changes.append({"profile": profile, "category": category, "allowed": allowed})
            if (category in defaults) == allowed:
                SharingDefault.objects.filter(dac=dac, profile=profile, category=category).delete()
            else:
                SharingDefault.objects.update_or_create(
                    dac=dac, profile=profile, category=category, defaults={"allowed": allowed}
                )
    if changes:
        record_event(dac, "sharing_settings_changed", changes=changes)
    sharing.forget(actor)
    return changes


def register() -> None:
    """Called once from CircleConfig.ready(): the verbs' labels, the episode page's block."""
    from appui.care.sections import register_section
    from appui.core.models import VERB_LABELS

    VERB_LABELS.update(VERBS)
    register_section("circle", 15, "circle/members/_episode_section.html", episode_section)


def episode_section(request, episode) -> dict | None:
    """The circle summary and the person's objections, for the DAC staff on the episode page."""
    membership = getattr(request, "membership", None)
    if membership is None or membership.role not in policy.CIRCLE_STAFF_ROLES:
        return None
    person = episode.person
    members = list(
        CareCircleMember.objects.filter(circle__person=person)
        .filter(policy._active_member_q())
        .select_related("user", "professional", "organisation", "carer")
    )
    return {
        "circle_person": person,
        "circle_members": members,
        "circle_notices": objection_notices(person),
    }


def staff_choices(person):
    """The DAC team members who may be added nominally."""
    return (
        User.objects.filter(
            memberships__organisation_id=person.dac_id,
            memberships__role__in=policy.CIRCLE_STAFF_ROLES,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def carer_choices(person):
    return Carer.objects.filter(person=person).order_by("last_name", "first_name")
