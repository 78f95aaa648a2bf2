from .views import contracts, dashboard, ledger, quality, regional, report

app_name = "reporting"

urlpatterns: list = [
    *dashboard.urlpatterns,
    *report.urlpatterns,
    *contracts.urlpatterns,
    *ledger.urlpatterns,
    *quality.urlpatterns,
    *regional.urlpatterns,
]
