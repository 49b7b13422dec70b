"""School maps: distances, outlines, boundary files and offline rendering."""

from __future__ import annotations

import json
import socket
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from matplotlib.path import Path as GeoPath

from partnership_eval.errors import InputError
from partnership_eval.maps import (
    distance_km,
    england_panel,
    hull_outline,
    located,
    map_axes,
    read_boundaries,
    school_map,
)

SQUARE = [[0, 0], [10000, 0], [10000, 10000], [0, 10000], [0, 0]]


def _schools(n: int = 12, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "urn": np.arange(100001, 100001 + n),
            "easting": 400000 + rng.uniform(0, 30000, n),
            "northing": 300000 + rng.uniform(0, 30000, n),
            "group": np.where(np.arange(n) % 3 == 0, "cluster", "other"),
            "pupils": rng.integers(1, 300, n),
        }
    )


def _geojson(tmp_path, features, crs="EPSG::27700"):
    path = tmp_path / "las.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs}"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"LAD23NM": name},
                        "geometry": {"type": "Polygon", "coordinates": [ring]},
                    }
                    for name, ring in features
                ],
            }
        )
    )
    return path


def test_distance_is_straight_line_km_on_the_grid():
    east, north = np.array([0.0, 3000.0, 0.0]), np.array([0.0, 4000.0, -12000.0])
    assert distance_km(east, north, 0.0, 0.0) == pytest.approx([0.0, 5.0, 12.0])


def test_hull_outline_encloses_every_school_with_padding():
    schools = _schools()
    (ring,) = hull_outline(schools["easting"], schools["northing"], pad_m=500)
    inside = GeoPath(ring).contains_points(schools[["easting", "northing"]].to_numpy())
    assert inside.all()


def test_hull_outline_of_two_schools_is_a_padded_box():
    (ring,) = hull_outline(np.array([0.0, 1000.0]), np.array([0.0, 0.0]), pad_m=100)
    assert ring.min(axis=0).tolist() == [-100, -100] and ring.max(axis=0).tolist() == [1100, 100]


def test_map_renders_without_network_access(monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    ax, side = map_axes(england=True)
    schools = _schools()
    school_map(schools, outline=hull_outline(schools["easting"], schools["northing"]), ax=ax)
    england_panel(side, schools, schools.head(3), label="comparison schools")
    assert ax.figure._repr_png_().startswith(b"\x89PNG")


def test_map_counts_schools_it_cannot_place():
    schools = _schools().astype({"easting": float})
    schools.loc[0, "easting"] = np.nan
    ax = school_map(schools)
    assert any("1 school(s) without coordinates" in t.get_text() for t in ax.texts)
    assert len(located(schools)) == len(schools) - 1


@pytest.mark.parametrize("argument", ["group", "size"])
def test_map_refuses_to_show_pupil_counts(argument):
    with pytest.raises(InputError, match="never pupil counts"):
        school_map(_schools(), **{argument: "pupils"})


def test_schools_without_coordinate_columns_are_refused_naming_the_column():
    with pytest.raises(InputError, match="easting"):
        located(pd.DataFrame({"urn": [100001]}))


def test_missing_boundary_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_boundaries(tmp_path / "none.gpkg")


def test_boundary_file_needs_the_geo_extra(tmp_path, monkeypatch):
    path = tmp_path / "las.geojson"
    path.write_text("{}")
    monkeypatch.setitem(sys.modules, "pyogrio", None)
    with pytest.raises(InputError, match=r"partnership-eval\[geo\]"):
        read_boundaries(path)


def test_unreadable_boundary_file_is_refused_clearly(tmp_path):
    pytest.importorskip("pyogrio")
    path = tmp_path / "las.gpkg"
    path.write_text("not a geopackage")
    with pytest.raises(InputError, match="cannot read the boundary file"):
        read_boundaries(path)


def test_boundary_file_gives_the_named_las_outline(tmp_path):
    pytest.importorskip("pyogrio")
    other = [[x + 20000, y] for x, y in SQUARE]
    path = _geojson(tmp_path, [("Surrey", SQUARE), ("Kent", other)])
    (ring,) = read_boundaries(path, ["surrey"])
    assert ring.max(axis=0).tolist() == [10000, 10000]
    assert len(read_boundaries(path)) == 2
    with pytest.raises(InputError, match="no feature of the boundary file is named"):
        read_boundaries(path, ["Devon"])


def test_boundary_file_outside_the_british_national_grid_is_refused(tmp_path):
    pytest.importorskip("pyogrio")
    path = _geojson(tmp_path, [("Surrey", [[0, 51], [1, 51], [1, 52], [0, 51]])], "OGC:1.3:CRS84")
    with pytest.raises(InputError, match="British National Grid"):
        read_boundaries(path)


def test_the_gias_placeholder_location_zero_zero_counts_as_unknown():
    schools = _schools().astype({"easting": float, "northing": float})
    schools.loc[0, ["easting", "northing"]] = 0.0
    assert schools.loc[0, "urn"] not in set(located(schools)["urn"])


def test_scale_bar_moves_to_the_emptier_lower_corner():
    crowded_left = pd.DataFrame(
        {
            "easting": np.r_[np.full(20, 401000.0), 450000.0, 401000.0],
            "northing": np.r_[np.full(20, 300500.0), 300000.0, 340000.0],
            "group": "a",
        }
    )
    ax = school_map(crowded_left)
    (bar,) = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert bar.get_x() > np.mean(ax.get_xlim())
