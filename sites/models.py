"""Mine sites: where they are, what they mine, what state they are in, and where the record came from."""

from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import F, Func, Q, TextField
from django.db.models.functions import Lower, Trim, Upper
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from access.models import AuditedRecord, Country, CountryRecord
from sites.local_names import local_names_text, name_for_reader, validate_local_names
from sites.tenure import SiteTenure


def alternative_names_text() -> Func:
    """A site's other names as one text, through the immutable SQL function of migration 0006, so it can be indexed."""
    return Func(F("alternative_names"), function="registry_names_text", output_field=TextField())


class SiteStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    CARE_AND_MAINTENANCE = "care_and_maintenance", _("Care and maintenance")
    CLOSED = "closed", _("Closed")
    ABANDONED = "abandoned", _("Abandoned")
    ORPHANED = "orphaned", _("Orphaned")
    REHABILITATED = "rehabilitated", _("Rehabilitated")


# Map colours per status, shared by the map legend, markers and list badges.
STATUS_COLOURS = {
    SiteStatus.PROPOSED: "#8e7cc3",
    SiteStatus.ACTIVE: "#d7301f",
    SiteStatus.CARE_AND_MAINTENANCE: "#fc8d59",
    SiteStatus.CLOSED: "#636363",
    SiteStatus.ABANDONED: "#8c510a",
    SiteStatus.ORPHANED: "#e7298a",
    SiteStatus.REHABILITATED: "#1a9850",
}


class MineType(models.TextChoices):
    OPEN_PIT = "open_pit", _("Open pit")
    UNDERGROUND = "underground", _("Underground")
    ALLUVIAL = "alluvial", _("Alluvial / placer")
    QUARRY = "quarry", _("Quarry")
    IN_SITU = "in_situ", _("In-situ")
    UNKNOWN = "unknown", _("Unknown")


class Commodity(models.TextChoices):
    NICKEL = "nickel", _("Nickel")
    COPPER = "copper", _("Copper")
    TIN = "tin", _("Tin")
    BAUXITE = "bauxite", _("Bauxite")
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    COAL = "coal", _("Coal")
    IRON_ORE = "iron_ore", _("Iron ore")
    LEAD = "lead", _("Lead")
    ZINC = "zinc", _("Zinc")
    MANGANESE = "manganese", _("Manganese")
    CHROMITE = "chromite", _("Chromite")
    COBALT = "cobalt", _("Cobalt")
    TUNGSTEN = "tungsten", _("Tungsten")
    RARE_EARTHS = "rare_earths", _("Rare earth elements")
    POTASH = "potash", _("Potash")
    LIMESTONE = "limestone", _("Limestone")
    SAND_GRAVEL = "sand_gravel", _("Sand and gravel")
    GEMSTONES = "gemstones", _("Gemstones")
    JADE = "jade", _("Jade")
    OTHER = "other", _("Other")


class QualityFlag(models.TextChoices):
    """Known defects of a source record, kept visible instead of silently fixed."""

    DUPLICATE_SOURCE_ID = "duplicate_source_id", _("Source id repeated within its source")
    DUPLICATE_COORDINATES = "duplicate_coordinates", _("Same coordinates as another site")
    OUTSIDE_LAND = "outside_land", _("Location falls outside the country outlines (coastal or offshore)")
    DUPLICATE_NAME_NEARBY = "duplicate_name_nearby", _("Same name as another site less than 1 km away")
    OUTSIDE_COUNTRY = "outside_country", _("Location falls in another country than the one declared")
    MISSING_KEY_FIELDS = "missing_key_fields", _("Name, status or commodities missing")
    NOT_UPDATED = "not_updated", _("Not updated for years")


class DataSource(models.Model):
    """Where site records came from, with the licence and attribution their reuse requires."""

    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    publisher = models.CharField(max_length=200, blank=True, verbose_name=_("publisher"))
    url = models.URLField(blank=True, verbose_name=_("url"))
    license = models.CharField(max_length=100, blank=True, verbose_name=_("license"))
    attribution = models.TextField(blank=True, verbose_name=_("attribution"))

    def __str__(self) -> str:
        return self.name


class MineSiteQuerySet(models.QuerySet):
    def published(self):
        return self.filter(self.model.published_condition())

    def in_country(self, code: str):
        return self.filter(country=code)

    def with_status(self, status: str):
        return self.filter(status=status)

    def with_commodity(self, commodity: str):
        return self.filter(commodities__contains=[commodity])

    def with_quality_flag(self, flag: str):
        return self.filter(quality_flags__contains=[flag])


class MineSite(SiteTenure, AuditedRecord):
    """A mine, quarry or mineral working, drawn from a source inventory or recorded by a survey uploader."""

    name = models.CharField(max_length=255, verbose_name=_("name"))
    alternative_names = ArrayField(
        models.CharField(max_length=255), default=list, blank=True, verbose_name=_("alternative names")
    )
    local_names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        validators=[validate_local_names],
        help_text=_("The site's name in each language of the registry, in its own script."),
    )
    country = models.CharField(max_length=2, choices=Country.choices, verbose_name=_("country"))
    admin_area = models.CharField(_("province or admin area"), max_length=200, blank=True)
    # Derived from the country's published boundary layers (sites/admin_areas.py) unless a person overrides it.
    admin_area_override_reason = models.CharField(_("why the admin area is typed by hand"), max_length=300, blank=True)
    admin_area_is_derived = models.BooleanField(default=False, editable=False)
    status = models.CharField(max_length=32, choices=SiteStatus.choices, verbose_name=_("status"))
    mine_type = models.CharField(
        max_length=32, choices=MineType.choices, default=MineType.UNKNOWN, verbose_name=_("mine type")
    )
    commodities = ArrayField(
        models.CharField(max_length=32, choices=Commodity.choices),
        default=list,
        blank=True,
        verbose_name=_("commodities"),
    )
    location = models.PointField(srid=4326, verbose_name=_("location"))
    footprint = models.MultiPolygonField(srid=4326, null=True, blank=True, verbose_name=_("footprint"))
    operator = models.CharField(_("operator / owner"), max_length=255, blank=True)
    opened_year = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("opened year"))
    closed_year = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("closed year"))

    data_source = models.ForeignKey(
        DataSource, on_delete=models.PROTECT, null=True, blank=True, related_name="sites", verbose_name=_("data source")
    )
    source_record_id = models.CharField(
        max_length=100, blank=True, help_text=_("The record's id in its source."), verbose_name=_("source record id")
    )
    # Unique per source; equals source_record_id unless the source repeats an id (then "<id>#<n>").
    source_record_key = models.CharField(
        max_length=120, blank=True, editable=False, verbose_name=_("source record key")
    )
    source_status = models.CharField(
        max_length=50, blank=True, help_text=_("The status as the source words it."), verbose_name=_("source status")
    )
    source_url = models.URLField(blank=True, verbose_name=_("source url"))
    quality_flags = ArrayField(
        models.CharField(max_length=32, choices=QualityFlag.choices),
        default=list,
        blank=True,
        verbose_name=_("quality flags"),
    )

    history = HistoricalRecords(excluded_fields=AuditedRecord.UNTRACKED_FIELDS)
    objects = MineSiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("mine site")
        verbose_name_plural = _("mine sites")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_source", "source_record_key"],
                condition=~Q(source_record_key=""),
                name="unique_source_record",
            ),
            models.CheckConstraint(
                condition=Q(closed_year__isnull=True)
                | Q(opened_year__isnull=True)
                | Q(closed_year__gte=models.F("opened_year")),
                name="closed_after_opened",
            ),
            # Three capital letters; which codes is the field's validator's rule (sites.tenure.validate_currency).
            models.CheckConstraint(
                condition=Q(assurance_currency__regex=r"^([A-Z]{3})?$"), name="site_assurance_currency_iso_4217"
            ),
            models.CheckConstraint(
                condition=Q(assurance_amount__isnull=True) | (Q(assurance_amount__gte=0) & ~Q(assurance_currency="")),
                name="site_assurance_amount_with_currency",
            ),
        ]
        indexes = [
            # The sites list's order: a page is read along it, by keyset from a neighbouring row, a letter
            # or an end (sites/listing.py).
            models.Index(fields=["name", "id"], name="site_name_order"),
            models.Index(fields=["country", "status"]),
            # Drafts are few: counted and listed per country without reading the published sites.
            models.Index(fields=["country", "status"], condition=Q(is_published=False), name="site_drafts"),
            GinIndex(fields=["commodities"]),
            models.Index(fields=["updated_at"]),
            # The list's search (sites/queries.py: filtered_sites) compares upper-cased text with LIKE '%…%':
            # trigram indexes on the same expressions answer it without reading every site.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="site_name_search"),
            GinIndex(OpClass(Upper("operator"), name="gin_trgm_ops"), name="site_operator_search"),
            GinIndex(OpClass(Upper(alternative_names_text()), name="gin_trgm_ops"), name="site_other_names_search"),
            GinIndex(OpClass(Upper(local_names_text()), name="gin_trgm_ops"), name="site_local_names_search"),
            models.Index(Upper("source_record_id"), name="site_source_record_search"),
            # The probable-duplicates check joins sites on their name as people compare it (sites/quality.py).
            models.Index(Lower(Trim("name")), name="site_name_key"),
            # The sites list's flag filter and the quality page's counts (sites/flag_queries.py).
            GinIndex(fields=["quality_flags"], name="site_quality_flags"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_country_display()})"

    @property
    def name_in_reader_language(self) -> str:
        """The name in the language the page is shown in, if the site has one besides its main name; else ""."""
        return name_for_reader(self.local_names, self.name, get_language())

    @property
    def display_name(self) -> str:
        """The reader's-language name first, with the main name after it; the main name alone if there is none."""
        local_name = self.name_in_reader_language
        if not local_name:
            return self.name
        return gettext("%(local_name)s (%(name)s)") % {"local_name": local_name, "name": self.name}

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS[self.status]

    def get_commodities_display(self) -> list[str]:
        labels = dict(Commodity.choices)
        return [str(labels.get(code, code)) for code in self.commodities]

    def get_quality_flags_display(self) -> list[str]:
        labels = dict(QualityFlag.choices)
        return [str(labels.get(code, code)) for code in self.quality_flags]

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sites:detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = self.clean_tenure()
        if errors:
            raise ValidationError(errors)


class DismissedFlag(models.Model):
    """A quality flag a reviewer judged wrong for one site, and why.

    It holds while the site's checked data stays as it was when dismissed (`data_fingerprint`,
    sites/quality.py): the recomputation does not raise the flag again; once that data changes it does.
    """

    site = models.ForeignKey(MineSite, on_delete=models.CASCADE, related_name="dismissed_flags")
    flag = models.CharField(max_length=32, choices=QualityFlag.choices)
    reason = models.TextField()
    data_fingerprint = models.CharField(max_length=32, editable=False)
    dismissed_by = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-dismissed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "flag", "data_fingerprint"], name="unique_dismissal"),
            models.CheckConstraint(condition=~Q(reason=""), name="dismissal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_flag_display()} dismissed for site #{self.site_id}"


class SiteCluster(models.Model):
    """Site counts per grid cell of each low zoom, maintained by a trigger on the sites table.

    One row per (zoom, cell, commodity, country, status, is_published); commodity "" counts every
    site of the cell, the other rows count the sites having that commodity, so every map filter
    is answered exactly from this table without reading the sites.
    """

    zoom = models.SmallIntegerField(verbose_name=_("zoom"))
    cx = models.IntegerField(verbose_name=_("cx"))
    cy = models.IntegerField(verbose_name=_("cy"))
    commodity = models.CharField(max_length=32, verbose_name=_("commodity"))
    country = models.CharField(max_length=2, verbose_name=_("country"))
    status = models.CharField(max_length=32, verbose_name=_("status"))
    is_published = models.BooleanField(verbose_name=_("is published"))
    n = models.IntegerField(verbose_name=_("n"))
    sum_x = models.FloatField(
        help_text=_("Sum of the sites' EPSG:3857 x, for the cluster's centroid."), verbose_name=_("sum x")
    )
    sum_y = models.FloatField(verbose_name=_("sum y"))
    sum_id = models.BigIntegerField(
        help_text=_("Sum of the site ids: the site's id when n is 1."), verbose_name=_("sum id")
    )

    class Meta:
        db_table = "geodata_sitecluster"  # made, and kept by a trigger, in geodata's migration 0005
        constraints = [
            models.UniqueConstraint(
                fields=["zoom", "commodity", "cx", "cy", "country", "status", "is_published"],
                name="unique_site_cluster_cell",
            )
        ]
        indexes = [models.Index(fields=["id"], condition=models.Q(n=0), name="site_cluster_empty")]


class ReportingCode(models.TextChoices):
    """The public reporting standard an estimate was made under (CRIRSCO family or a national code)."""

    JORC = "jorc", _("JORC Code (Australasia)")
    NI_43_101 = "ni_43_101", _("NI 43-101 (Canada)")
    PERC = "perc", _("PERC (Europe)")
    SAMREC = "samrec", _("SAMREC (South Africa)")
    NATIONAL = "national", _("National code")


class ResourceCategory(models.TextChoices):
    """CRIRSCO categories: three of resources by geological confidence, two of reserves."""

    MEASURED = "measured", _("Measured resource")
    INDICATED = "indicated", _("Indicated resource")
    INFERRED = "inferred", _("Inferred resource")
    PROVED = "proved", _("Proved reserve")
    PROBABLE = "probable", _("Probable reserve")


# The UNFC class each CRIRSCO category maps to by default, as the CRIRSCO–UNFC bridging document
# sets it out (economic E, feasibility F, geological G axes).
UNFC_CLASSES = {
    ResourceCategory.PROVED: "E1 F1 G1",
    ResourceCategory.PROBABLE: "E1 F1 G2",
    ResourceCategory.MEASURED: "E2 F2.2 G1",
    ResourceCategory.INDICATED: "E2 F2.2 G2",
    ResourceCategory.INFERRED: "E2 F2.2 G3",
}


class GradeUnit(models.TextChoices):
    PERCENT = "percent", "%"
    GRAMS_PER_TONNE = "g_t", "g/t"
    PPM = "ppm", "ppm"
    KILOCALORIES_PER_KG = "kcal_kg", "kcal/kg"


class ResourceEstimate(CountryRecord, models.Model):
    """A tonnage and grade for one commodity at one site, as a competent person reported it.

    Public once it and its site are published: an uploader's new estimate waits for a reviewer.
    """

    country_lookup = "site__country"

    site = models.ForeignKey(
        MineSite, on_delete=models.CASCADE, related_name="resource_estimates", verbose_name=_("site")
    )
    commodity = models.CharField(max_length=32, choices=Commodity.choices, verbose_name=_("commodity"))
    reporting_code = models.CharField(max_length=16, choices=ReportingCode.choices, verbose_name=_("reporting code"))
    national_code_name = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Which national code, when the reporting code is national."),
        verbose_name=_("national code name"),
    )
    category = models.CharField(max_length=16, choices=ResourceCategory.choices, verbose_name=_("category"))
    tonnage_mt = models.DecimalField(_("tonnage (Mt)"), max_digits=14, decimal_places=4)
    grade = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True, verbose_name=_("grade"))
    grade_unit = models.CharField(max_length=16, choices=GradeUnit.choices, blank=True, verbose_name=_("grade unit"))
    cut_off = models.CharField(_("cut-off grade"), max_length=100, blank=True)
    effective_date = models.DateField(verbose_name=_("effective date"))
    competent_person = models.CharField(max_length=200, verbose_name=_("competent person"))
    source_report = models.CharField(
        max_length=300, help_text=_("The report's title, publisher and year."), verbose_name=_("source report")
    )
    source_url = models.URLField(blank=True, verbose_name=_("source url"))

    is_published = models.BooleanField(default=False, verbose_name=_("published"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("resource estimate")
        verbose_name_plural = _("resource estimates")
        ordering = ["site", "commodity", "-effective_date", "category"]
        constraints = [
            models.CheckConstraint(condition=Q(tonnage_mt__gte=0), name="tonnage_not_negative"),
            models.CheckConstraint(condition=Q(grade__isnull=True) | Q(grade__gte=0), name="grade_not_negative"),
            models.CheckConstraint(condition=Q(grade__isnull=True) | ~Q(grade_unit=""), name="grade_has_unit"),
        ]

    def __str__(self) -> str:
        return gettext("%(category)s, %(commodity)s at %(site)s") % {
            "category": self.get_category_display(),
            "commodity": self.get_commodity_display(),
            "site": self.site.name,
        }

    @classmethod
    def published_condition(cls) -> Q:
        return Q(is_published=True, site__is_published=True)

    def get_absolute_url(self) -> str:
        return self.site.get_absolute_url()

    @property
    def unfc_class(self) -> str:
        return UNFC_CLASSES[self.category]

    @property
    def is_reserve(self) -> bool:
        return self.category in (ResourceCategory.PROVED, ResourceCategory.PROBABLE)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.reporting_code == ReportingCode.NATIONAL and not self.national_code_name:
            errors["national_code_name"] = _("Name the national code the estimate was reported under.")
        if self.grade is not None and not self.grade_unit:
            errors["grade_unit"] = _("A grade needs its unit.")
        if errors:
            raise ValidationError(errors)


class Currency(models.TextChoices):
    """ISO 4217 codes that costs are recorded in: the region's currencies and the usual donor ones."""

    USD = "USD", _("USD — US dollar")
    EUR = "EUR", _("EUR — Euro")
    AUD = "AUD", _("AUD — Australian dollar")
    JPY = "JPY", _("JPY — Japanese yen")
    CNY = "CNY", _("CNY — Renminbi")
    BND = "BND", _("BND — Brunei dollar")
    KHR = "KHR", _("KHR — Cambodian riel")
    IDR = "IDR", _("IDR — Indonesian rupiah")
    LAK = "LAK", _("LAK — Lao kip")
    MYR = "MYR", _("MYR — Malaysian ringgit")
    MMK = "MMK", _("MMK — Myanmar kyat")
    PHP = "PHP", _("PHP — Philippine peso")
    SGD = "SGD", _("SGD — Singapore dollar")
    THB = "THB", _("THB — Thai baht")
    VND = "VND", _("VND — Vietnamese dong")


class InventoryImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def inventory_upload_location(_import: "InventoryImport", filename: str) -> str:
    """Stored under a generated name (with the file's own suffix, which the reader goes by)."""
    import uuid
    from pathlib import Path

    suffix = "".join(Path(filename).suffixes[-2:]).lower()
    safe_suffix = suffix if all(part[1:].isalnum() for part in Path(filename).suffixes[-2:]) else ""
    return f"inventory-uploads/{uuid.uuid4().hex}{safe_suffix}"


class InventoryImport(models.Model):
    """A site inventory uploaded through the pages, imported in the background; its report when done."""

    upload = models.FileField(upload_to=inventory_upload_location, blank=True, max_length=200, verbose_name=_("upload"))
    original_name = models.CharField(max_length=255, verbose_name=_("original name"))
    source_name = models.CharField(max_length=200, blank=True, verbose_name=_("source name"))
    column_map = models.JSONField(default=dict, blank=True, verbose_name=_("column map"))
    srid = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("srid"))
    encoding = models.CharField(max_length=40, blank=True, verbose_name=_("encoding"))
    # The countries the uploader could import for when they uploaded: rows of others are refused.
    countries = ArrayField(models.CharField(max_length=2), default=list, verbose_name=_("countries"))
    status = models.CharField(
        max_length=16,
        choices=InventoryImportStatus.choices,
        default=InventoryImportStatus.QUEUED,
        verbose_name=_("status"),
    )
    report = models.JSONField(default=dict, blank=True, verbose_name=_("report"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))

    class Meta:
        verbose_name = _("inventory import")
        verbose_name_plural = _("inventory imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (InventoryImportStatus.DONE, InventoryImportStatus.FAILED)

    @property
    def is_done(self) -> bool:
        return self.status == InventoryImportStatus.DONE

    @property
    def has_failed(self) -> bool:
        return self.status == InventoryImportStatus.FAILED
