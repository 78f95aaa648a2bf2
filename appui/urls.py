from django.contrib import admin
from django.urls import include, path

from appui.core import views as core_views

admin.site.site_header = "Appui — administration technique"
admin.site.site_title = "Appui"

urlpatterns = [
    path("", include("appui.core.urls")),
    path("", include("appui.accounts.urls")),
    path("", include("appui.territory.urls")),
    path("", include("appui.directory.urls")),
    path("", include("appui.persons.urls")),
    path("", include("appui.intake.urls")),
    path("", include("appui.care.urls")),
    path("", include("appui.circle.urls")),
    path("", include("appui.reporting.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = core_views.error_403
handler404 = core_views.error_404
handler500 = core_views.error_500
