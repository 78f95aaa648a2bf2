from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("compte/connexion/", views.LoginView.as_view(), name="login"),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("compte/mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "compte/mot-de-passe/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "compte/mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/mot-de-passe/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("compte/double-authentification/", views.second_factor, name="second_factor"),
    path("compte/role/", views.switch_membership, name="switch"),
    path("compte/", views.profile, name="profile"),
    path("administration/comptes/", views.account_list, name="list"),
    path("administration/comptes/nouveau/", views.account_create, name="create"),
    path("administration/comptes/<int:pk>/", views.account_detail, name="detail"),
    path(
        "administration/comptes/<int:pk>/rattachements/<int:membership_pk>/fin/",
        views.membership_end,
        name="membership_end",
    ),
]
