from .views import contracts, dashboard, regional, report

app_name = "reporting"

urlpatterns: list = [
    *dashboard.urlpatterns,
    *contracts.urlpatterns,
    *report.urlpatterns,
    *regional.urlpatterns,
]
