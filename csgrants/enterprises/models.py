from django.db import models
from django.utils.translation import gettext_lazy as _

from csgrants.core.postal import PROVINCES, REGIONS


class Enterprise(models.Model):
    """An enterprise as csgrants knows it from applications (the register itself, KBO open data,
    is imported separately). `number` is always the canonical 0403.170.701 form."""

    number = models.CharField(_("enterprise number"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=320)
    kind = models.CharField(_("kind"), max_length=40, default="kmo")
    postal_code = models.CharField(_("postal code"), max_length=4)
    province = models.CharField(
        _("province"), max_length=6, choices=[(k, v[0]) for k, v in PROVINCES.items()], blank=True
    )
    region = models.CharField(
        _("region"), max_length=10, choices=[(r, r) for r in REGIONS], blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self):
        return f"{self.name} ({self.number})"
