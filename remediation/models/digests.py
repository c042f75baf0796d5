"""The weekly digests already sent, so that no country's digest goes out twice in one week."""

from django.db import models

from access.models import Country


class WeeklyDigest(models.Model):
    """The last week (its Monday) whose digest went to a country's officers and reviewers."""

    country = models.CharField(max_length=2, choices=Country.choices, unique=True)
    last_sent_week = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Digest of {self.country}, last for the week of {self.last_sent_week}"
