from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "appui.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from appui.core.permissions import register_scope

        from .scopes import account_scope

        register_scope("account", account_scope)
