from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "homeroom.access"
    label = "access"
    verbose_name = "Access policy"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from homeroom.access.roles import sync_groups

        # After every app's permissions exist: connected without a sender, it runs last
        # for each app, and is idempotent.
        post_migrate.connect(sync_groups, dispatch_uid="homeroom_access_sync_groups")
