"""Static maps of schools on the British National Grid, in the report figure style.

A map is a :class:`~partnership_eval.plots.ReportFigure` like every other report figure:
schools as points at their easting and northing (metres, EPSG:27700, as GIAS publishes
them), coloured by group, with a scale bar and a north arrow, drawn without tiles or any
other network request so a report renders offline and byte-for-byte the same. The area's
outline comes from a boundary file the user supplies (ONS publishes LA boundaries under
the Open Government Licence; reading one needs the optional ``geo`` extra: pyogrio and
shapely), otherwise from the schools themselves (their convex hull, padded).

A map shows where schools are, never how many pupils they teach: a group or marker-size
column holding pupil counts is refused, so no small cohort can be read off a map.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Polygon, Rectangle
from scipy.spatial import ConvexHull, QhullError

from partnership_eval.errors import InputError
from partnership_eval.plots import DPI, PALETTE, ReportFigure, report_style, styled

MAP_SIZE = (7.5, 6.0)
COORDINATES = ("easting", "northing")
PUPIL_COUNTS = ("pupils", "cohort_n", "disadv_n", "phonics_n", "n_pupils")
"""Columns that count pupils: a map never shows them (small-number caution)."""
BNG = "EPSG:27700"
NICE_KM = (1, 2, 5, 10, 20, 50, 100, 200)

Outline = list[np.ndarray]
"""Rings of an outline: each an (n, 2) array of easting, northing in metres."""


def located(schools: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``schools`` with an easting and a northing (missing ones dropped, and
    so is 0, 0: GIAS's placeholder for an unknown location, off the coast of Cornwall).

    Raises :class:`InputError` when the table has no coordinate columns at all.
    """
    missing = [c for c in COORDINATES if c not in schools.columns]
    if missing:
        raise InputError(
            f"the schools table has no {' or '.join(missing)} column, so it cannot be mapped",
            column=missing[0],
            fix="re-run `partnership-eval ingest` on a GIAS extract with Easting and Northing",
        )
    known = schools.dropna(subset=list(COORDINATES))
    return known[(known["easting"] != 0) | (known["northing"] != 0)]


def distance_km(east: np.ndarray, north: np.ndarray, to_east, to_north) -> np.ndarray:
    """Straight-line distance in km between grid points given in metres (vectorised)."""
    return np.hypot(np.asarray(east) - to_east, np.asarray(north) - to_north) / 1000.0


def hull_outline(east: np.ndarray, north: np.ndarray, *, pad_m: float = 1500.0) -> Outline:
    """The schools' own outline: their convex hull pushed ``pad_m`` metres outwards.

    Fewer than three distinct points (or points on one line) give a padded box instead.
    """
    points = np.unique(np.column_stack([east, north]).astype("float64"), axis=0)
    if len(points) == 0:
        return []
    try:
        ring = points[ConvexHull(points).vertices]
    except (QhullError, ValueError):
        (x0, y0), (x1, y1) = points.min(axis=0) - pad_m, points.max(axis=0) + pad_m
        return [np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])]
    centre = ring.mean(axis=0)
    away = ring - centre
    length = np.hypot(away[:, 0], away[:, 1])
    return [ring + away / np.where(length > 0, length, 1.0)[:, None] * pad_m]


def read_boundaries(path: str | Path, names: Sequence[str] = ()) -> Outline:
    """Outline rings of the features of a boundary file (GeoPackage, shapefile, GeoJSON).

    The file must be in the British National Grid (ONS publishes every boundary set in
    it). With ``names``, keep the features whose name field holds one of them (LA names,
    any case); a file with one feature is used whole. Needs the optional ``geo`` extra.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(
            "boundary file not found", path=path, fix="give the path of an ONS LA boundary file"
        )
    try:
        import shapely
        from pyogrio import raw
    except ImportError as error:
        raise InputError(
            f"reading a boundary file needs pyogrio and shapely ({error.name} is missing)",
            path=path,
            fix="pip install 'partnership-eval[geo]', or leave boundaries empty to outline "
            "the area by its schools",
        ) from None
    try:
        meta, _, wkb, fields = raw.read(path, force_2d=True)
    except Exception as error:  # GDAL raises its own error types for unreadable files
        raise InputError(
            f"cannot read the boundary file: {error}",
            path=path,
            fix="give a GeoPackage, shapefile or GeoJSON of LA boundaries (ONS Open Geography)",
        ) from None
    crs = str(meta.get("crs") or "")
    if crs and crs.upper() != BNG:
        raise InputError(
            f"the boundary file is in {crs}, not the British National Grid ({BNG})",
            path=path,
            fix="download the BNG version from the ONS Open Geography Portal, or convert it "
            "with `ogr2ogr -t_srs EPSG:27700 out.gpkg in.gpkg`",
        )
    keep = _matching_features(meta, fields, names, len(wkb), path)
    shapes = shapely.from_wkb(wkb[keep])
    polygons = shapely.get_parts(shapes[~shapely.is_missing(shapes)])
    polygons = polygons[shapely.get_type_id(polygons) == 3]  # polygons only
    return [shapely.get_coordinates(shapely.get_exterior_ring(p)) for p in polygons]


def _matching_features(
    meta: dict, fields: Sequence[np.ndarray], names: Sequence[str], n: int, path: Path
) -> np.ndarray:
    """Positions of the features named in ``names`` (every feature when it is one or none)."""
    wanted = {str(name).strip().lower() for name in names}
    if not wanted or n <= 1:
        return np.arange(n)
    for values in fields:
        if values.dtype.kind in "OU":
            hit = np.isin(np.char.lower(values.astype(str)), list(wanted))
            if hit.any():
                return np.flatnonzero(hit)
    raise InputError(
        f"no feature of the boundary file is named {sorted(wanted)}",
        path=path,
        fix=f"use a file whose name field ({', '.join(map(str, meta.get('fields', [])))}) "
        "holds the LA's name, or one with just the area",
    )


def area_outline(
    schools: pd.DataFrame, *, boundaries: str | Path | None = None, names: Sequence[str] = ()
) -> Outline:
    """The area's outline: from ``boundaries`` when given, else the schools' padded hull."""
    if boundaries:
        return read_boundaries(boundaries, names)
    points = located(schools)
    return hull_outline(points["easting"].to_numpy(), points["northing"].to_numpy())


def _refuse_pupil_counts(*columns: str | None) -> None:
    for column in columns:
        if column in PUPIL_COUNTS:
            raise InputError(
                f"a map shows schools, never pupil counts; {column!r} counts pupils",
                column=column,
                fix="colour or size schools by a group or by schools counted, not by pupils",
            )


def school_map(
    schools: pd.DataFrame,
    *,
    group: str = "group",
    order: Sequence[str] | None = None,
    size: str | None = None,
    size_label: str = "",
    outline: Outline | None = None,
    background: Sequence[str] = (),
    title: str = "",
    ax: Axes | None = None,
    figsize: tuple[float, float] = MAP_SIZE,
) -> Axes:
    """Schools as points on the grid, coloured by ``group``, with scale bar and north arrow.

    ``order`` fixes the groups shown and their colours (default: every group, sorted);
    ``size`` a numeric column for marker area (e.g. schools in the partnership, never
    pupils); ``outline`` rings drawn beneath (see :func:`area_outline`); ``background``
    groups drawn small and grey (e.g. the rest of England). Schools without coordinates
    are left off and counted in the caption.
    """
    _refuse_pupil_counts(group, size)
    if group not in schools.columns:
        raise InputError(f"no column {group!r} to colour the schools by", column=group)
    points = located(schools)
    unplaced = len(schools) - len(points)
    groups = list(order) if order is not None else sorted(points[group].dropna().unique())
    coloured = [g for g in groups if g not in background]
    colours = dict(zip(coloured, sns.color_palette(PALETTE, max(len(coloured), 1)), strict=False))
    colours.update(dict.fromkeys(background, "#c8c8c8"))
    ax = ax if ax is not None else map_axes(figsize=figsize)
    with styled(ax) as ax:
        for ring in outline or []:
            ax.add_patch(Polygon(ring, closed=True, fc="#f4f4f4", ec="#555555", lw=0.8, zorder=0))
        if size is not None:
            scale = 120.0 / max(float(points[size].max()) - 1.0, 1.0) if len(points) else 1.0
        for name in reversed(groups):  # the first group on top
            rows = points[points[group] == name]
            area = 18.0 if size is None else 14.0 + (rows[size].to_numpy(float) - 1).clip(0) * scale
            area = 2.0 if name in background else area
            ax.scatter(
                rows["easting"],
                rows["northing"],
                s=area,
                color=colours[name],
                edgecolor="white",
                linewidth=0 if name in background else 0.4,
                label=f"{name} ({len(rows)})",
                zorder=2,
            )
        _frame(ax, points, outline)
        scale_bar(ax, points[list(COORDINATES)].to_numpy(dtype=float))
        north_arrow(ax)
        handles, labels = (h[::-1] for h in ax.get_legend_handles_labels())
        legend = ax.figure.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=max(1, min(len(labels), 4, 90 // max(map(len, labels), default=1))),
            frameon=False,
            fontsize=8,
            title=f"marker size: {size_label}" if size is not None and size_label else None,
            title_fontsize=8,
        )
        for handle in legend.legend_handles:
            handle.set_sizes([30.0])
        if unplaced:
            ax.annotate(
                f"{unplaced} school(s) without coordinates not shown",
                (0, -0.02),
                xycoords="axes fraction",
                va="top",
                fontsize=8,
                color="grey",
            )
        ax.set_title(title)
    return ax


def _frame(ax: Axes, points: pd.DataFrame, outline: Outline | None) -> None:
    """Equal-aspect grid axes around the points and outline, without ticks or grid."""
    xy = [points[list(COORDINATES)].to_numpy(dtype=float), *(outline or [])]
    xy = np.vstack([a for a in xy if len(a)]) if any(len(a) for a in xy) else np.zeros((1, 2))
    low, high = xy.min(axis=0), xy.max(axis=0)
    pad = max(float((high - low).max()) * 0.06, 1000.0)
    ax.set_xlim(low[0] - pad, high[0] + pad)
    ax.set_ylim(low[1] - pad, high[1] + 2.5 * pad)  # room for the north arrow
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#bbbbbb")


def scale_bar(ax: Axes, points: np.ndarray | None = None) -> None:
    """A scale bar of a round number of km near a fifth of the width, in the lower corner
    (left or right) with fewer of ``points`` (easting, northing rows) under it."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5000.0
    km = max([k for k in NICE_KM if k <= target], default=NICE_KM[0])
    length, margin = km * 1000.0, 0.04 * (x1 - x0)
    left, bottom = x0 + margin, y0 + 0.05 * (y1 - y0)
    if points is not None and len(points):
        low = points[:, 1] < y0 + 0.12 * (y1 - y0)
        on_left = (low & (points[:, 0] < left + length + margin)).sum()
        on_right = (low & (points[:, 0] > x1 - 2 * margin - length)).sum()
        left = x1 - margin - length if on_right < on_left else left
    height = 0.012 * (y1 - y0)
    ax.add_patch(Rectangle((left, bottom), length, height, fc="black", ec="black", zorder=3))
    ax.annotate(
        f"{km} km", (left + length / 2, bottom + 2 * height), ha="center", fontsize=8, zorder=3
    )


def north_arrow(ax: Axes) -> None:
    """An arrow marked N in the upper right (grid north, within a degree of true north)."""
    ax.annotate(
        "N",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.84),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        zorder=3,
    )


def map_axes(*, england: bool = False, figsize: tuple[float, float] = MAP_SIZE):
    """Axes for a map on a new report figure; with ``england``, also a narrow panel to its
    right for :func:`england_panel` (returns the pair)."""
    with mpl.rc_context(report_style()):
        figure = ReportFigure(figsize=figsize, dpi=DPI, layout="constrained")
        if not england:
            return figure.add_subplot()
        main, side = figure.subplots(1, 2, width_ratios=(2.6, 1))
        return main, side


def england_panel(
    ax: Axes,
    england: pd.DataFrame,
    highlight: pd.DataFrame,
    *,
    label: str,
    area: Outline | None = None,
) -> Axes:
    """A small map of England on ``ax``: every school faint, ``highlight`` in colour (e.g.
    the comparison schools) and the mapped area boxed."""
    every, shown = located(england), located(highlight)
    with styled(ax) as ax:
        ax.scatter(every["easting"], every["northing"], s=0.5, color="#c8c8c8", linewidth=0)
        ax.scatter(
            shown["easting"],
            shown["northing"],
            s=2.0,
            color=sns.color_palette(PALETTE)[1],
            linewidth=0,
        )
        if area:
            xy = np.vstack(area)
            (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="black", lw=1))
        _frame(ax, every, area)
        ax.set_title(label, fontsize=8)
    return ax
