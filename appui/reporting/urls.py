# --- ledger ---
from .views import ledger, quality

# --- end ledger ---

app_name = "reporting"

urlpatterns: list = [
    # --- ledger ---
    *ledger.urlpatterns,
    *quality.urlpatterns,
    # --- end ledger ---
]
