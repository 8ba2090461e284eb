from django.db import models


class IdempotencyKey(models.Model):
    """A POST made with an `Idempotency-Key` header, and the response it got: a retry gets that response again.

    The row is claimed (inserted) in the same transaction as the write it guards, so the unique constraint lets
    one of two concurrent requests with the same key run; the other waits for it and replays its response.
    Keys live 24 hours (kernel.api.idempotency.KEY_TTL); `delete_expired_idempotency_keys` removes them.
    """

    principal = models.CharField(max_length=100, help_text='Who sent it: "client:<id>" or "user:<id>".')
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.TextField()
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON body.")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None while in progress.")
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True, help_text="Location and ETag, to replay them.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # Created by the project package before the kernel existed; the table kept its name.
        db_table = "connectivity_idempotencykey"
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_per_principal")]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"
