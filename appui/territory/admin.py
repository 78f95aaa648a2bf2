from django.contrib import admin

from .models import Commune, Organisation, PracticePlace, Professional, Territory


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["insee_code", "name", "department_code", "postal_codes"]
    search_fields = ["insee_code", "name", "postal_codes"]
    list_filter = ["department_code"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "dac"]
    autocomplete_fields = ["communes", "dac"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "finess_et", "siret"]
    list_filter = ["kind"]
    search_fields = ["name", "finess_et", "finess_ej", "siret"]
    autocomplete_fields = ["commune", "parent"]

    def has_delete_permission(self, request, obj=None):
        return False


class PracticePlaceInline(admin.TabularInline):
    model = PracticePlace
    extra = 0
    autocomplete_fields = ["organisation", "commune"]
    can_delete = False


@admin.register(Professional)
class ProfessionalAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "profession", "rpps"]
    list_filter = ["profession"]
    search_fields = ["last_name", "first_name", "rpps", "adeli"]
    autocomplete_fields = ["user"]
    inlines = [PracticePlaceInline]

    def has_delete_permission(self, request, obj=None):
        return False
