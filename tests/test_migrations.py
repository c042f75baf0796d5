"""Moving hazards to remediation and memberships to access, and renaming a layer's uploader, keep every row."""

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [
    ("sites", "0007_site_drafts"),
    ("remediation", "0001_initial"),
    ("geodata", "0007_remediation_and_hazard_tile_versions"),
    ("access", None),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [(app, name) for app, name in targets if name]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_hazards_memberships_and_uploaders_stay_in_their_tables_across_the_move():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE_THE_MOVE)
    user = old.get_model("auth", "User").objects.create(username="officer")
    site = old.get_model("sites", "MineSite").objects.create(
        name="Old pit", country="ID", status="abandoned", location=Point(120, -2, srid=4326), is_published=True
    )
    shaft = old.get_model("sites", "Hazard").objects.create(
        site=site, hazard_type="open_shaft", priority=1, location=Point(120.001, -2.001, srid=4326), created_by=user
    )
    measure = old.get_model("remediation", "RemediationMeasure").objects.create(site=site, measure_type="shaft_capping")
    measure.hazards.add(shaft)
    old.get_model("sites", "Membership").objects.create(user=user, country="ID", role="environmental_officer")
    layer = old.get_model("geodata", "Layer").objects.create(title="Faults", country="ID", uploaded_by=user)

    new = migrate(latest)
    hazard = new.get_model("remediation", "Hazard").objects.get(pk=shaft.pk)
    assert (hazard.site_id, hazard.hazard_type, hazard.priority, hazard.created_by_id) == (
        site.pk,
        "open_shaft",
        1,
        user.pk,
    )
    assert hazard.location.coords == pytest.approx((120.001, -2.001))
    assert list(new.get_model("remediation", "RemediationMeasure").objects.get().hazards.all()) == [hazard]
    membership = new.get_model("access", "Membership").objects.get()
    assert (membership.user_id, membership.country, membership.role) == (user.pk, "ID", "environmental_officer")
    assert new.get_model("sites", "MineSite").objects.get().created_by_id is None
    assert new.get_model("geodata", "Layer").objects.get(pk=layer.pk).created_by_id == user.pk
