from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts import selectors
        from accounts.models import TierRule

        # The tier rules are cached for every API row (accounts.selectors.cached_tier_rules): any change drops them.
        post_save.connect(selectors.forget_tier_rules, sender=TierRule, dispatch_uid="accounts-tier-rules-saved")
        post_delete.connect(selectors.forget_tier_rules, sender=TierRule, dispatch_uid="accounts-tier-rules-deleted")
