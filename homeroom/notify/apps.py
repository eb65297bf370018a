from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "homeroom.notify"
    label = "notify"
    verbose_name = _("Messages to families")

    def ready(self) -> None:
        from homeroom.lib import followers
        from homeroom.notify import alerts

        # Alerts follow the record's changes, enqueued in each change's own transaction.
        followers.follow(alerts.changes_followed)
