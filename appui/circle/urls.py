from .views import members, notebook, rights

app_name = "circle"

# Each part keeps its routes next to its views: the circle, objections, emergency access and
# sharing settings (members); the liaison notebook and notifications (notebook); the person's
# access log, data export and retention (rights).
urlpatterns = [
    *members.urlpatterns,
    *notebook.urlpatterns,
    *rights.urlpatterns,
]
