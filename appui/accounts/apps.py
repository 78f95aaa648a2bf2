from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "appui.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from appui.core.permissions import register_scope

        from .scopes import account_scope

        register_scope("account", account_scope)

        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from .signals import attribute_login

        # The login itself (last_login) is a write by the user who just logged in, not "système".
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(attribute_login, dispatch_uid="appui_attribute_login")
