"""Bump the `remediation` and `hazards` tile versions on every write to measures and hazards.

Kept in geodata, next to the sites trigger and the function it calls (0005): which tables feed
which tile source is the tile module's concern, and the apps owning the tables need not know it.
Statement triggers, so a bulk update is one bump, and every writer (ORM, admin, raw SQL) counts.
"""

from django.db import migrations

SOURCES = {"remediation_remediationmeasure": "remediation", "sites_hazard": "hazards"}

FORWARD = "\n".join(
    f"""CREATE TRIGGER geodata_{source}_tile_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION geodata_tile_source_changed('{source}');"""
    for table, source in SOURCES.items()
)
REVERSE = "\n".join(
    f"DROP TRIGGER IF EXISTS geodata_{source}_tile_version ON {table};" for table, source in SOURCES.items()
)


class Migration(migrations.Migration):
    dependencies = [
        ("geodata", "0006_generalise_existing_layers"),
        ("sites", "0004_hazards"),
        ("remediation", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
