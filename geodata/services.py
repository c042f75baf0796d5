"""Write paths for survey layers that are not uploads: reference layers shipped with the registry."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import geopandas
import numpy as np
from django.db import transaction

from geodata import loading
from geodata.models import Layer, LayerStatus


@dataclass(frozen=True)
class ReferenceLayerSpec:
    """A layer the registry ships (country outlines, faults…): its file and how to describe it."""

    slug: str
    title: str
    theme: str
    path: Path
    license: str
    attribution: str
    abstract: str = ""
    # Keep only rows whose `column` is in `values` (the file may cover more than the region).
    keep_column: str = ""
    keep_values: tuple[str, ...] = ()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@transaction.atomic
def load_reference_layer(spec: ReferenceLayerSpec) -> tuple[Layer, bool]:
    """Create or refresh a published reference layer from a clean EPSG:4326 file.

    Returns the layer and whether its features were (re)loaded; an unchanged file loads nothing.
    """
    sha256 = file_sha256(spec.path)
    layer, _ = Layer.objects.get_or_create(slug=spec.slug, defaults={"title": spec.title})
    described = {
        "title": spec.title,
        "theme": spec.theme,
        "license": spec.license,
        "attribution": spec.attribution,
        "abstract": spec.abstract,
        "status": LayerStatus.READY,
        "is_published": True,
    }
    changed_description = any(getattr(layer, field) != value for field, value in described.items())
    if layer.report.get("source_sha256") == sha256 and layer.feature_count and not changed_description:
        return layer, False

    frame = geopandas.read_file(spec.path, engine="pyogrio")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError(f"{spec.path.name}: reference layers must be in EPSG:4326, found {frame.crs}")
    if spec.keep_column:
        frame = frame[frame[spec.keep_column].isin(spec.keep_values)]
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    attributes = frame.drop(columns=frame.geometry.name)
    properties = attributes.astype(object).where(attributes.notna(), None)

    for field, value in described.items():
        setattr(layer, field, value)
    layer.source_crs = "EPSG:4326"
    layer.encoding = "UTF-8"
    layer.field_schema = [{"name": str(name), "type": str(dtype)} for name, dtype in attributes.dtypes.items()]
    layer.report = {"source_file": spec.path.name, "source_sha256": sha256, "features_read": int(len(frame))}
    layer.save()
    loading.replace_features(
        layer,
        np.asarray(frame.geometry.values),
        properties.to_dict(orient="records"),
        [int(index) for index in frame.index],
    )
    return layer, True
