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


# --- KBO/BCE open data register ------------------------------------------------------------
# Mirrors of the open data files (Cookbook KBO Open data R018.00, section 2). Numbers are kept
# in the dotted form of the files (0403.170.701, 2.000.000.339) so a lookup needs no conversion.
#
# The tables are not managed by Django: migration 0002 creates them with exactly the indexes the
# lookups need and no surrogate key, because a full import replaces each table wholesale (see
# enterprises/kbo.py) and every extra index or identity column costs time on millions of rows.
# Where a file has no natural key, the ORM is given a composite key over the row's identifying
# columns; the database does not enforce it (the files themselves do not guarantee it).
# No foreign keys between the tables: the files do not guarantee referential integrity.


class KboEnterprise(models.Model):
    enterprise_number = models.CharField(_("enterprise number"), max_length=12, primary_key=True)
    status = models.CharField(max_length=2)
    juridical_situation = models.CharField(max_length=3)
    type_of_enterprise = models.CharField(max_length=1)
    juridical_form = models.CharField(max_length=3, blank=True)
    juridical_form_cac = models.CharField(max_length=3, blank=True)
    start_date = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "enterprises_kboenterprise"
        verbose_name = _("KBO enterprise")
        verbose_name_plural = _("KBO enterprises")

    def __str__(self):
        return self.enterprise_number


class KboEstablishment(models.Model):
    # The ORM's key; the database does not enforce it (see migration 0002).
    establishment_number = models.CharField(
        _("establishment number"), max_length=13, primary_key=True
    )
    start_date = models.DateField(null=True)
    enterprise_number = models.CharField(max_length=12)  # indexed

    class Meta:
        managed = False
        db_table = "enterprises_kboestablishment"

    def __str__(self):
        return self.establishment_number


class KboBranch(models.Model):
    id = models.CharField(max_length=13, primary_key=True)
    start_date = models.DateField(null=True)
    enterprise_number = models.CharField(max_length=12)  # indexed

    class Meta:
        managed = False
        db_table = "enterprises_kbobranch"

    def __str__(self):
        return self.id


class KboDenomination(models.Model):
    pk = models.CompositePrimaryKey(
        "entity_number", "language", "type_of_denomination", "denomination"
    )
    entity_number = models.CharField(max_length=13)  # indexed
    language = models.CharField(max_length=1)
    type_of_denomination = models.CharField(max_length=3)
    denomination = models.CharField(max_length=320)

    class Meta:
        managed = False
        db_table = "enterprises_kbodenomination"

    def __str__(self):
        return self.denomination


class KboAddress(models.Model):
    pk = models.CompositePrimaryKey(
        "entity_number",
        "type_of_address",
        "zipcode",
        "street_nl",
        "street_fr",
        "house_number",
        "box",
    )
    entity_number = models.CharField(max_length=13)  # indexed
    type_of_address = models.CharField(max_length=4)
    country_nl = models.CharField(max_length=100, blank=True)
    country_fr = models.CharField(max_length=100, blank=True)
    zipcode = models.CharField(max_length=20, blank=True)
    municipality_nl = models.CharField(max_length=200, blank=True)
    municipality_fr = models.CharField(max_length=200, blank=True)
    street_nl = models.CharField(max_length=200, blank=True)
    street_fr = models.CharField(max_length=200, blank=True)
    house_number = models.CharField(max_length=22, blank=True)
    box = models.CharField(max_length=20, blank=True)
    extra_address_info = models.CharField(max_length=80, blank=True)
    date_striking_off = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "enterprises_kboaddress"

    def __str__(self):
        return f"{self.entity_number} {self.type_of_address}"


class KboActivity(models.Model):
    pk = models.CompositePrimaryKey(
        "entity_number", "activity_group", "nace_version", "nace_code", "classification"
    )
    entity_number = models.CharField(max_length=13)  # indexed
    activity_group = models.CharField(max_length=3)
    nace_version = models.CharField(max_length=4)
    nace_code = models.CharField(max_length=7)
    classification = models.CharField(max_length=4)

    class Meta:
        managed = False
        db_table = "enterprises_kboactivity"

    def __str__(self):
        return f"{self.entity_number} {self.nace_version}/{self.nace_code}"


class KboContact(models.Model):
    pk = models.CompositePrimaryKey("entity_number", "entity_contact", "contact_type", "value")
    entity_number = models.CharField(max_length=13)
    entity_contact = models.CharField(max_length=3)
    contact_type = models.CharField(max_length=5)
    value = models.CharField(max_length=254)

    class Meta:
        managed = False
        db_table = "enterprises_kbocontact"

    def __str__(self):
        return f"{self.entity_number} {self.contact_type}"


class KboCode(models.Model):
    pk = models.CompositePrimaryKey("category", "code", "language")  # indexed
    category = models.CharField(max_length=40)
    code = models.CharField(max_length=20)
    language = models.CharField(max_length=2)
    description = models.TextField()

    class Meta:
        managed = False
        db_table = "enterprises_kbocode"

    def __str__(self):
        return f"{self.category}/{self.code}/{self.language}"


class KboImport(models.Model):
    """One applied dump (full or update): what meta.csv said and how many rows each file had."""

    class Kind(models.TextChoices):
        FULL = "full", _("full")
        UPDATE = "update", _("update")

    kind = models.CharField(max_length=6, choices=Kind.choices)
    extract_number = models.CharField(max_length=10, blank=True)
    snapshot_date = models.DateField(null=True)
    extract_timestamp = models.CharField(max_length=30, blank=True)
    version = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=500)
    rows = models.JSONField(default=dict)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("KBO import")
        verbose_name_plural = _("KBO imports")

    def __str__(self):
        return f"{self.kind} {self.extract_number}"
