from .views import regional

app_name = "reporting"

urlpatterns: list = [
    # regional
    *regional.urlpatterns,
]
