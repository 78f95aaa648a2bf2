"""Follow-up: the file active by intensity level, the caseload of the staff, exits and the length
of the accompaniments."""

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf

from appui.accounts.models import User
from appui.care.enums import ExitReason
from appui.care.models import CareEpisode, LevelChange
from appui.intake.enums import IntensityLevel
from appui.persons.models import Person

from .activity import episodes_followed
from .base import (
    Definition,
    Drilldown,
    Indicator,
    Kind,
    Measure,
    Period,
    by_group,
    by_group_and_key,
    grouped,
    register,
)

# --- Persons by intensity level -----------------------------------------------------------------


def last_episodes(dac_ids, period: Period, pooled: bool = False):
    """For each person of the file active, their last episode followed in the period (the last
    one recorded: a reopening is always recorded after the episode it follows), annotated with
    `level_at`: the intensity level at the end of the period.

    The level at the end of the period is the level of the last level change recorded before the
    end of its last day (a closed episode's level no longer changes after its exit, so this is
    its level at exit). An episode without any change recorded before that instant (history
    started later) takes the level its first later change replaced, or else its current level.
    """
    followed = episodes_followed(dac_ids, period)
    per_person = ("person_id",) if pooled else ("dac_id", "person_id")
    last = followed.order_by().values(*per_person).annotate(last=Max("pk")).values("last")
    end = period.end_datetime()
    before = LevelChange.objects.filter(episode_id=OuterRef("pk"), changed_at__lt=end).order_by(
        "-changed_at"
    )
    after = LevelChange.objects.filter(episode_id=OuterRef("pk"), changed_at__gte=end).order_by(
        "changed_at"
    )
    return (
        CareEpisode.objects.filter(pk__in=last)
        .annotate(
            level_at=Coalesce(
                Subquery(before.values("level")[:1]),
                NullIf(Subquery(after.values("previous_level")[:1]), Value("")),
                F("level"),
            )
        )
        .order_by()
    )


def _persons_by_level(dac_ids, period, pooled):
    rows = grouped(last_episodes(dac_ids, period, pooled), pooled, key=F("level_at")).annotate(
        n=Count("person_id", distinct=True)
    )
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _persons_by_level_rows(dac, period, key):
    episodes = last_episodes([dac.pk], period)
    if key:
        episodes = episodes.filter(level_at=key)
    return Person.objects.filter(pk__in=episodes.values("person_id")).order_by(
        "birth_name", "first_name"
    )


register(
    Indicator(
        code="persons_by_level",
        label="Personnes de la file active par niveau d'intensité",
        section="follow_up",
        unit="personnes",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Personnes de la file active (accompagnées au moins un jour de la "
            "période), réparties selon leur niveau d'intensité (veille, risque, complexe à court "
            "terme, complexe à long terme, urgence).",
            denominator="La somme des niveaux est égale à la file active.",
            period="Le niveau retenu est celui en vigueur à la fin de la période, ou à la sortie "
            "pour un accompagnement clos pendant la période : le dernier changement de niveau "
            "enregistré avant la fin du dernier jour de la période.",
            inclusion="Une personne compte une fois, au niveau de son dernier accompagnement de "
            "la période (pour une personne sortie puis réadmise, celui de la réadmission).",
        ),
        compute=_persons_by_level,
        breakdown=lambda keys: list(IntensityLevel.choices),
        drilldown=Drilldown("person", _persons_by_level_rows, "Personnes par niveau d'intensité"),
    )
)


# --- Caseload per staff member ------------------------------------------------------------------


def _staff_person_counts(dac_ids, period, pooled) -> dict:
    """{group: {user id: distinct persons followed}}: a person counts once for a staff member who
    was their référent·e or case manager on any episode followed in the period.

    Two aggregates: the persons per référent·e, then the persons per case manager who is not
    also their référent·e on an episode of the period (so nobody counts twice for one user)."""
    followed = episodes_followed(dac_ids, period)
    as_referent = grouped(
        followed.filter(referent_id__isnull=False), pooled, key=F("referent_id")
    ).annotate(n=Count("person_id", distinct=True))
    also_referent = followed.filter(
        person_id=OuterRef("person_id"), referent_id=OuterRef("case_manager_id")
    )
    if not pooled:
        also_referent = also_referent.filter(dac_id=OuterRef("dac_id"))
    as_case_manager = grouped(
        followed.filter(case_manager_id__isnull=False).filter(~Exists(also_referent)),
        pooled,
        key=F("case_manager_id"),
    ).annotate(n=Count("person_id", distinct=True))
    counts: dict = {}
    for row in [*as_referent, *as_case_manager]:  # one row per staff member, not per person
        staff = counts.setdefault(row["group"], {})
        staff[row["key"]] = staff.get(row["key"], 0) + row["n"]
    return counts


def _caseload_per_staff(dac_ids, period, pooled):
    return {
        group: {str(user_id): Measure.count(n) for user_id, n in staff.items()}
        for group, staff in _staff_person_counts(dac_ids, period, pooled).items()
    }


def _staff_labels(keys):
    ids = [int(k) for k in keys if str(k).isdigit()]
    users = User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk")
    return [(str(u.pk), u.get_full_name() or u.email) for u in users]


def _followed_by_rows(dac, period, key):
    episodes = episodes_followed([dac.pk], period)
    if key and str(key).isdigit():
        episodes = episodes.filter(Q(referent_id=int(key)) | Q(case_manager_id=int(key)))
    else:
        episodes = episodes.filter(Q(referent_id__isnull=False) | Q(case_manager_id__isnull=False))
    return Person.objects.filter(pk__in=episodes.values("person_id")).order_by(
        "birth_name", "first_name"
    )


STAFF_DEFINITION = (
    "Un·e professionnel·le suit une personne s'il ou elle est référent·e ou gestionnaire de cas "
    "d'un de ses accompagnements suivis pendant la période (le référent et le gestionnaire de "
    "cas enregistrés sur l'accompagnement au moment du calcul)."
)

register(
    Indicator(
        code="caseload_per_staff",
        label="File active par professionnel·le",
        section="follow_up",
        unit="personnes",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Pour chaque professionnel·le, personnes distinctes de la file active "
            "qu'il ou elle suit.",
            period="Accompagnements suivis au moins un jour de la période.",
            inclusion=STAFF_DEFINITION + " Une personne suivie par deux professionnel·les "
            "compte pour chacun ; une personne compte une fois pour un même professionnel, qu'il "
            "soit référent et gestionnaire de cas ou qu'elle ait été réadmise.",
        ),
        compute=_caseload_per_staff,
        breakdown=_staff_labels,
        drilldown=Drilldown("person", _followed_by_rows, "Personnes suivies"),
        personal_keys=True,
    )
)


def _caseload_mean(dac_ids, period, pooled):
    return {
        group: Measure.ratio(sum(staff.values()), len(staff))
        for group, staff in _staff_person_counts(dac_ids, period, pooled).items()
    }


register(
    Indicator(
        code="caseload_mean",
        label="File active moyenne par professionnel·le",
        section="follow_up",
        unit="personnes",
        kind=Kind.MEAN,
        definition=Definition(
            numerator="Somme, sur les professionnel·les, du nombre de personnes distinctes que "
            "chacun suit (voir « File active par professionnel·le »).",
            denominator="Professionnel·les qui suivent au moins une personne pendant la période.",
            period="Accompagnements suivis au moins un jour de la période.",
            inclusion=STAFF_DEFINITION,
        ),
        compute=_caseload_mean,
        drilldown=Drilldown("person", _followed_by_rows, "Personnes suivies"),
    )
)


# --- Exits --------------------------------------------------------------------------------------

NOT_RECORDED = "not_recorded"


def episodes_closed(dac_ids, period: Period):
    """Episodes whose exit date falls in the period."""
    return CareEpisode.objects.filter(
        dac_id__in=dac_ids, closed_on__gte=period.start, closed_on__lte=period.end
    )


def _exits_by_reason(dac_ids, period, pooled):
    reason = Coalesce(NullIf(F("exit_reason"), Value("")), Value(NOT_RECORDED))
    rows = grouped(episodes_closed(dac_ids, period), pooled, key=reason).annotate(n=Count("pk"))
    return by_group_and_key(rows, lambda r: Measure.count(r["n"]))


def _exits_rows(dac, period, key):
    episodes = episodes_closed([dac.pk], period)
    if key == NOT_RECORDED:
        episodes = episodes.filter(exit_reason="")
    elif key:
        episodes = episodes.filter(exit_reason=key)
    return episodes.select_related("person").order_by("closed_on", "pk")


register(
    Indicator(
        code="exits_by_reason",
        label="Sorties par motif",
        section="follow_up",
        unit="sorties",
        kind=Kind.COUNT,
        definition=Definition(
            numerator="Accompagnements clos pendant la période, selon le motif de sortie "
            "(décès, relais, stabilisation, entrée en établissement, déménagement, refus, "
            "objectifs atteints).",
            period="Date de sortie comprise dans la période.",
            inclusion="Chaque accompagnement clos compte : une personne sortie deux fois dans la "
            "période (après une réadmission) compte deux sorties.",
        ),
        compute=_exits_by_reason,
        breakdown=lambda keys: [
            *ExitReason.choices,
            *([(NOT_RECORDED, "Motif non renseigné")] if NOT_RECORDED in keys else []),
        ],
        drilldown=Drilldown("care", _exits_rows, "Accompagnements clos"),
    )
)


def _mean_length(dac_ids, period, pooled):
    length = ExpressionWrapper(F("closed_on") - F("opened_on"), output_field=DurationField())
    rows = grouped(episodes_closed(dac_ids, period), pooled).annotate(
        total=Sum(length), n=Count("pk")
    )
    return by_group(rows, lambda r: Measure.ratio(r["total"].days if r["total"] else 0, r["n"]))


register(
    Indicator(
        code="mean_length_days",
        label="Durée moyenne des accompagnements clos",
        section="follow_up",
        unit="jours",
        kind=Kind.MEAN,
        definition=Definition(
            numerator="Somme des durées des accompagnements clos pendant la période, en jours "
            "calendaires entre la date d'inclusion et la date de sortie (une sortie le jour de "
            "l'inclusion dure 0 jour).",
            denominator="Accompagnements clos pendant la période.",
            period="Date de sortie comprise dans la période ; la durée court depuis l'inclusion, "
            "même antérieure à la période.",
            inclusion="Chaque accompagnement compte séparément : une personne réadmise puis "
            "sortie a deux accompagnements, chacun avec sa durée (la réadmission n'allonge pas le "
            "premier).",
        ),
        compute=_mean_length,
        drilldown=Drilldown("care", _exits_rows, "Accompagnements clos"),
    )
)
