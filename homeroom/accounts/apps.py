from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "homeroom.accounts"
    label = "accounts"
    verbose_name = "Accounts"
