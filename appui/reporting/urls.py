from .views import contracts, dashboard, report

app_name = "reporting"

urlpatterns: list = [
    *dashboard.urlpatterns,
    *contracts.urlpatterns,
    *report.urlpatterns,
]
