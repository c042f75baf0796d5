"""Size limits are stated as real sizes: a limit under a megabyte is not "at most 0 MB"."""

import pytest

from tests.conftest import make_site
from tests.remediation.conftest import make_measure

pytestmark = pytest.mark.django_db


def test_the_evidence_form_states_a_small_limit_as_it_is(client, officer, settings):
    settings.EVIDENCE_MAX_BYTES = 300 * 1024
    measure = make_measure(make_site(name="Small-limit mine"))
    client.force_login(officer)
    html = client.get(f"/remediation/sites/{measure.site_id}/evidence/new/").content.decode()
    assert "at most 0 MB" not in html
    assert "at most 300.0\xa0KB" in html
