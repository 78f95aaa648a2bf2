from .views import dashboard

app_name = "reporting"

urlpatterns: list = [
    # dash
    *dashboard.urlpatterns,
]
