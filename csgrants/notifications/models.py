"""A log of every e-mail csgrants sent: what the agency told whom, and when. Reminders use it
so that a digest goes out once a day and a late-report reminder once per interval."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SentMail(models.Model):
    event = models.CharField(_("event"), max_length=40, db_index=True)
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=250)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        indexes = [models.Index(fields=["event", "recipient", "sent_on"])]

    def __str__(self):
        return f"{self.sent_on} {self.event} -> {self.recipient}"
