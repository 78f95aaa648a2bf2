from .views import contracts, dashboard

app_name = "reporting"

urlpatterns: list = [
    *dashboard.urlpatterns,
    *contracts.urlpatterns,
]
