"""Tenure and liability of a site: the licence it is worked under, who answers for it, and the money set aside.

Kept as an abstract model that MineSite takes its fields from, so they live in the site's row
(one table, one history, one filter) while sites/models.py stays about what a site is.
"""

from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LicenceType(models.TextChoices):
    PRODUCTION_LICENCE = "production_licence", _("Mining / production licence (IUP-OP style)")
    EXPLORATION_LICENCE = "exploration_licence", _("Exploration licence")
    MINING_LEASE = "mining_lease", _("Mining lease")
    CONCESSION = "concession", _("Concession")
    SMALL_SCALE_PERMIT = "small_scale_permit", _("Small-scale / people's mining permit")
    NONE = "none", _("None")
    UNKNOWN = "unknown", _("Unknown")


class ResponsiblePartyKind(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    STATE = "state", pgettext_lazy("responsible party", "State")
    NONE_KNOWN = "none_known", _("None known (no liable owner)")
    UNKNOWN = "unknown", _("Unknown")


class AssuranceKind(models.TextChoices):
    BOND = "bond", _("Bond")
    BANK_GUARANTEE = "bank_guarantee", _("Bank guarantee")
    CASH_DEPOSIT = "cash_deposit", _("Cash deposit")
    INSURANCE = "insurance", _("Insurance")
    NONE = "none", _("None")


# The tenure fields in the order the API, exports and imports list them.
TENURE_FIELDS = (
    "licence_type",
    "licence_number",
    "licence_holder",
    "licence_granted",
    "licence_expiry",
    "responsible_party",
    "responsible_party_kind",
    "assurance_kind",
    "assurance_amount",
    "assurance_currency",
    "assurance_holder",
    "assurance_expiry",
)

# The list's and the API's filters on tenure and liability (the map's tiles and cluster counts do not know them).
TENURE_FILTERS = ("responsible_party_kind", "licence_type", "licence_expired")


def validate_currency(code: str) -> None:
    """An ISO 4217 code among those the registry records money in (sites.models.Currency)."""
    from sites.models import Currency

    if code and code not in Currency.values:
        raise ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code the registry records; use one of %(codes)s."),
            code="currency",
            params={"code": code, "codes": ", ".join(Currency.values)},
        )


def licence_expired_condition(today=None) -> Q:
    """Sites whose licence has an expiry date that has passed."""
    return Q(licence_expiry__lt=today or timezone.localdate())


class SiteTenure(models.Model):
    """The licence, the responsible party and the financial assurance of a site (all optional)."""

    licence_type = models.CharField(
        _("licence or tenure type"), max_length=32, choices=LicenceType.choices, default=LicenceType.UNKNOWN
    )
    licence_number = models.CharField(_("licence number"), max_length=100, blank=True)
    licence_holder = models.CharField(_("licence holder"), max_length=255, blank=True)
    licence_granted = models.DateField(_("licence granted"), null=True, blank=True)
    licence_expiry = models.DateField(_("licence expiry"), null=True, blank=True)
    responsible_party = models.CharField(
        _("responsible party"), max_length=255, blank=True, help_text=_("Who answers for the site's closure.")
    )
    responsible_party_kind = models.CharField(
        _("kind of responsible party"),
        max_length=16,
        choices=ResponsiblePartyKind.choices,
        default=ResponsiblePartyKind.UNKNOWN,
    )
    assurance_kind = models.CharField(
        _("financial assurance"), max_length=16, choices=AssuranceKind.choices, blank=True
    )
    assurance_amount = models.DecimalField(
        _("assurance amount"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # The ISO 4217 codes the registry records money in (sites.models.Currency); a constraint holds the table to them.
    assurance_currency = models.CharField(
        _("assurance currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    assurance_holder = models.CharField(
        _("assurance holder"), max_length=255, blank=True, help_text=_("Who holds the money (a ministry, a bank).")
    )
    assurance_expiry = models.DateField(_("assurance expiry"), null=True, blank=True)

    class Meta:
        abstract = True

    def clean_tenure(self) -> dict:
        """The tenure's own rules, as {field: message}: dates in order, an amount with its currency."""
        errors = {}
        if self.licence_granted and self.licence_expiry and self.licence_expiry < self.licence_granted:
            errors["licence_expiry"] = _("The licence cannot expire before it was granted.")
        if self.assurance_amount is not None and not self.assurance_currency:
            errors["assurance_currency"] = _("An assurance amount needs its currency.")
        if self.assurance_amount is not None and self.assurance_amount < 0:
            errors["assurance_amount"] = _("An assurance amount cannot be negative.")
        return errors

    @property
    def is_licence_expired(self) -> bool:
        return self.licence_expiry is not None and self.licence_expiry < timezone.localdate()

    @property
    def has_tenure(self) -> bool:
        """Whether anything beyond "unknown" is recorded, so the page can say "nothing recorded" instead."""
        return any(
            [
                self.licence_type != LicenceType.UNKNOWN,
                self.licence_number,
                self.licence_holder,
                self.licence_granted,
                self.licence_expiry,
                self.responsible_party,
                self.responsible_party_kind != ResponsiblePartyKind.UNKNOWN,
                self.assurance_kind,
                self.assurance_amount is not None,
            ]
        )
