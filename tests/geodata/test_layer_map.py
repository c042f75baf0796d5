"""The layer page's map: drawn from the layer's tiles, coloured by a chosen attribute with a legend."""

import numpy as np
import pytest
import shapely

from geodata import loading
from tests.geodata.conftest import make_layer

pytestmark = pytest.mark.django_db


@pytest.fixture
def geology(db):
    layer = make_layer(status="ready", is_published=True, field_schema=[{"name": "LITHOLOGY", "type": "str"}])
    rocks = ["basalt", "basalt", "shale", "</script><b>granite</b>"]
    squares = np.array([shapely.box(110 + i, -7, 110.5 + i, -6.5) for i in range(len(rocks))])
    loading.replace_features(layer, squares, [{"LITHOLOGY": rock} for rock in rocks], list(range(len(rocks))))
    layer.refresh_from_db()
    return layer


def test_layer_map_reads_the_tiles_with_the_chosen_attribute_and_shows_a_legend(client, geology):
    response = client.get(f"/layers/{geology.pk}/?style=LITHOLOGY")
    assert response.status_code == 200
    assert [value for value, _colour in response.context["legend"]] == ["basalt", "</script><b>granite</b>", "shale"]
    script = response.context["map"].script
    assert f'"/tiles/layers/{geology.pk}/{{z}}/{{x}}/{{y}}.pbf?attribute=LITHOLOGY"' in script
    assert "</script>" not in script  # category values from the file cannot close the script
    html = response.content.decode()
    assert "&lt;/script&gt;&lt;b&gt;granite&lt;/b&gt;" in html  # and the legend escapes them


def test_unknown_style_attribute_gets_a_400_and_a_plain_map(client, geology):
    response = client.get(f"/layers/{geology.pk}/?style=COLOUR")
    assert response.status_code == 400
    assert "has no attribute &#x27;COLOUR&#x27;" in response.content.decode()
    assert "attribute=" not in response.context["map"].script
