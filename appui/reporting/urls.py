# --- cpom ---
from .views import contracts

# --- end cpom ---

app_name = "reporting"

urlpatterns: list = [
    # --- cpom ---
    *contracts.urlpatterns,
    # --- end cpom ---
]
