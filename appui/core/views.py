import csv
from datetime import datetime, time

from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .enums import AccessAction, Role
from .forms import FilterForm
from .home import panels_for
from .models import AccessLog
from .navigation import sections_for
from .permissions import can, scope

SECTION_TEXTS = {
    "Demandes": "Enregistrer et suivre les demandes d'appui : accueil, analyse, réponse.",
    "Personnes": "Retrouver les personnes accompagnées, leur identité et leur dossier de coordination.",
    "Accompagnements": "Suivre les personnes accompagnées : évaluations, PPCS, alertes, files actives.",
    "Répertoire": "Trouver la ressource du territoire : structures, professionnels, services.",
    "Pilotage": "Suivre l'activité : file active, délais, indicateurs du CPOM, vue régionale.",
    "Administration": "Comptes, rôles et journal des accès aux données personnelles.",
}


@login_required
def home(request):
    membership = request.membership
    tiles = [
        {"label": s.label, "url_name": s.url_name, "text": SECTION_TEXTS[s.label]}
        for s in sections_for(membership)
    ]
    return render(request, "core/home.html", {"tiles": tiles, "panels": panels_for(request)})


@require_GET
@never_cache
def health(request):
    """Liveness and database status, for supervision (no authentication, no personal data)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 — any database failure is reported as such
        database = "indisponible"
    payload = {
        "status": "ok" if database == "ok" else "dégradé",
        "database": database,
        "database_vendor": connection.vendor,
        "version": settings.VERSION,
    }
    return JsonResponse(payload, status=200 if database == "ok" else 503)


@login_required
def administration(request):
    links = []
    if can(request.membership, "access_log", "list"):
        links.append(
            {
                "url_name": "core:access_log",
                "label": "Journal des accès",
                "text": "Qui a consulté ou modifié quelle donnée personnelle, quand, avec quel rôle.",
            }
        )
    if can(request.membership, "emergency_access", "list"):
        accesses = django_apps.get_model("circle", "EmergencyAccess").objects.filter(
            reviewed_at__isnull=True
        )
        count = scope(request.membership, "emergency_access", "list", accesses).count()
        links.append(
            {
                "url_name": "circle:emergency_list",
                "label": "Accès en urgence (bris de glace)",
                "text": f"Les dossiers ouverts en urgence hors du cercle de soins : {count} à "
                "examiner.",
            }
        )
    if can(request.membership, "account", "list"):
        links.append(
            {
                "url_name": "accounts:list",
                "label": "Comptes et rôles",
                "text": "Les utilisateurs, leurs organisations et leurs rôles.",
            }
        )
    if can(request.membership, "assessment_form", "change"):
        links.append(
            {
                "url_name": "care:grid_list",
                "label": "Grilles d'évaluation",
                "text": "Les grilles du DAC : créer une grille sans programmer, la faire évoluer.",
            }
        )
    if can(request.membership, "care_settings", "change"):
        links.append(
            {
                "url_name": "care:care_settings",
                "label": "Réglages du suivi",
                "text": "Les seuils des alertes : révision du PPCS, réévaluation, contacts.",
            }
        )
    if can(request.membership, "sharing_settings", "change"):
        links.append(
            {
                "url_name": "circle:sharing_settings",
                "label": "Règles de partage",
                "text": "Ce que chaque profil voit des personnes : social, autonomie, médical…",
            }
        )
    if can(request.membership, "territory", "import"):
        links.append(
            {
                "url_name": "territory:commune_list",
                "label": "Communes et territoires",
                "text": "Le référentiel des communes (COG de l'Insee) et les territoires des DAC.",
            }
        )
    if not links:
        raise PermissionDenied
    return render(request, "core/administration.html", {"links": links})


class AccessLogFilterForm(FilterForm):
    user = forms.CharField(label="Utilisateur (courriel)", required=False)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes")] + list(AccessAction.choices)
    )
    object_type = forms.ChoiceField(label="Type de donnée", required=False, choices=[])
    object_id = forms.CharField(label="Identifiant de l'objet", required=False)
    person = forms.IntegerField(label="Personne concernée (n°)", required=False, min_value=1)
    start = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    OBJECT_TYPES = [
        ("", "Tous"),
        ("territory.professional", "Professionnel·le"),
        ("territory.practiceplace", "Lieu d'exercice"),
        ("accounts.user", "Compte utilisateur"),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = self.OBJECT_TYPES

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "La date de fin doit être postérieure à la date de début.")
        return data

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        if data["user"]:
            queryset = queryset.filter(user_label__icontains=data["user"])
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["object_type"]:
            queryset = queryset.filter(object_type=data["object_type"])
        if data["object_id"]:
            queryset = queryset.filter(object_id=data["object_id"].strip())
        if data["person"]:
            queryset = queryset.filter(person_id=data["person"])
        if data["start"]:
            queryset = queryset.filter(at__gte=datetime.combine(data["start"], time.min, tz))
        if data["end"]:
            queryset = queryset.filter(at__lte=datetime.combine(data["end"], time.max, tz))
        return queryset


@login_required
def access_log(request):
    from .mixins import paginate

    if not can(request.membership, "access_log", "list"):
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET or None)
    queryset = AccessLog.objects.all()
    if request.GET:
        queryset = form.filter(queryset)
    if request.GET.get("format") == "csv":
        if not can(request.membership, "access_log", "export"):
            raise PermissionDenied
        return access_log_csv(queryset)
    context = {"form": form, **paginate(request, queryset, per_page=50)}
    context["can_export"] = can(request.membership, "access_log", "export")
    type_labels = {m._meta.label_lower: m._meta.verbose_name for m in django_apps.get_models()}
    roles = dict(Role.choices)
    for row in context["object_list"]:
        row.type_label = str(type_labels.get(row.object_type, row.object_type)).capitalize()
        row.role_label = roles.get(row.role, row.role or "—")
    return render(request, "core/access_log.html", context)


def access_log_csv(queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal-des-acces.csv"'
    response.write("\ufeff")  # so that spreadsheet software reads the accents right
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "date",
            "utilisateur",
            "rôle",
            "organisation",
            "action",
            "objet",
            "identifiant",
            "personne",
            "champs",
            "vue",
            "adresse",
            "ip",
        ]
    )
    for row in queryset.iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(row.at).isoformat(timespec="seconds"),
                row.user_label,
                row.role,
                row.organisation_id or "",
                row.get_action_display(),
                row.object_type,
                row.object_id,
                row.person_id or "",
                ",".join(row.fields),
                row.view_name,
                row.path,
                row.ip or "",
            ]
        )
    return response


def about(request):
    return render(request, "core/about.html")


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # Rendered without the request context: the failure may come from the database or a context
    # processor, and this page must still show.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)
