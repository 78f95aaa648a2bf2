from .views import report

app_name = "reporting"

urlpatterns: list = [
    # --- report ---
    *report.urlpatterns,
    # --- end report ---
]
