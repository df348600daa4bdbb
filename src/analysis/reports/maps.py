"""Maps of Denmark for the reports: the index page's map and each page's locator map.

Both are inline SVG drawn from the municipalities' borders (:mod:`analysis.data.geo`,
DAGI 2014), so a page needs no network, no map tiles and no script library. Shapes are
joined to the reports on the municipality code, never the name; Bornholm is drawn in an
inset in the top right corner (the sea off north Zealand), Christiansø is left out.

**The index map** colours the 98 municipalities by an indicator the reader chooses
(:data:`INDICATORS`), read from the same rows the index table shows, so the map and the
table cannot disagree: a municipality's class is that of its value *as the table shows
it* (rounded to the shown decimals). Colours are ColorBrewer schemes marked colour-blind
safe (a sequential scheme for a level, a diverging one around zero for a change or a
balance); the legend gives every class's bounds and says which end is good; a missing
value is hatched. Each municipality is an SVG link to its page with a ``<title>`` (its
name and value, shown on hover and read by screen readers); a few lines of inline script
show the same text beside the map on keyboard focus and switch the indicator. Without
script the map shows the default indicator with its legend, and the switch is hidden.

**The locator map** (a few KB: heavily simplified, small islands left out) shows where
the municipality lies, in dark, and its comparison group, in a lighter blue; a caption
says the same in words.

When the borders file is missing (a test folder without ``data/raw/geo``) the maps are
left out and a warning is logged; a damaged file raises :class:`InputError` naming it.
"""

from __future__ import annotations

import html
import logging
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from statistics import median

import numpy as np
import pandas as pd

from analysis.data.geo import load_boundaries
from analysis.errors import ProblemCollector
from analysis.formatting import format_number, is_missing
from analysis.labels import t
from analysis.paths import ProjectPaths, get_paths

LOG = logging.getLogger(__name__)
TEMPLATE_DIR = Path(str(resources.files("analysis.reports") / "templates"))

#: printed under every map (the borders' licence asks for it)
ATTRIBUTION = "© Geodatastyrelsen & Danske Kommuner (DAGI 2014)"
BORNHOLM = 400

#: ColorBrewer (Cynthia A. Brewer, colorbrewer2.org), schemes marked colour-blind safe:
#: YlOrBr (sequential: light = low, dark brown = high) and PuOr (diverging: orange at one
#: end, purple at the other, near-white in the middle).
SEQUENTIAL = ("#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404")
DIVERGING = ("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99")
#: the locator's colours: the municipality, its comparison group, the rest (dark, medium
#: and light: told apart in greyscale too)
LOCATOR_SELF, LOCATOR_GROUP, LOCATOR_REST = "#08306b", "#6baed6", "#dde2e7"

#: simplification (degrees of latitude; 0.004 is about 1.5 units of the index map)
INDEX_TOLERANCE, LOCATOR_TOLERANCE = 0.004, 0.03
INDEX_WIDTH, LOCATOR_WIDTH = 1000, 100
#: polygons smaller than this (square units of each map) are left out, except each
#: municipality's largest
INDEX_MIN_AREA, LOCATOR_MIN_AREA = 12.0, 2.0


# --- indicators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MapIndicator:
    """An indicator the index map can show: ``columns`` of the index rows; one column is
    the value itself, two are a balance (first minus second)."""

    key: str  # one letter: CSS classes and data attributes
    name: str  # labels: reports.map.<part>.<name>
    columns: tuple[str, ...]
    diverging: bool
    higher_is_better: bool
    decimals: int

    def value(self, row: Mapping[str, object]) -> float | None:
        """The value as the table shows it (rounded to the shown decimals), or None."""
        values = [row.get(c) for c in self.columns]
        if any(is_missing(v) or isinstance(v, bool) for v in values):
            return None
        number = float(values[0]) - (float(values[1]) if len(values) == 2 else 0.0)
        return round(number, self.decimals)

    def shown(self, row: Mapping[str, object], language: str) -> list[str]:
        """The row's values as the page writes them ([] when missing); a change has a
        sign, counts have none."""
        if self.value(row) is None:
            return []
        sign = self.diverging and len(self.columns) == 1
        return [
            format_number(row[c], language, decimals=self.decimals, sign=sign) for c in self.columns
        ]

    def template(self, language: str) -> str:
        """The value in words with ``{a}`` (and ``{b}``) for the values shown."""
        return t(f"reports.map.value.{self.name}", language, a="{a}", b="{b}")

    def text(self, row: Mapping[str, object], language: str) -> str:
        """The value in words (the hover and focus text)."""
        shown = self.shown(row, language)
        if not shown:
            return t("reports.map.no_value", language)
        return t(f"reports.map.value.{self.name}", language, **dict(zip("ab", shown, strict=False)))


INDICATORS: tuple[MapIndicator, ...] = (
    MapIndicator("u", "unemployment", ("benchmark_unemployment",), False, False, 1),
    MapIndicator("d", "development", ("benchmark_unemployment_development",), True, False, 1),
    MapIndicator("b", "tally", ("benchmark_better", "benchmark_worse"), True, True, 0),
    MapIndicator("g", "developments", ("benchmark_up", "benchmark_down"), True, True, 0),
)
#: the index row field that names the month of the benchmark's levels
PERIOD_COLUMN = "benchmark_period"
PERIOD_START_COLUMN = "benchmark_period_start"


@dataclass(frozen=True)
class Classes:
    """Classes of values at the shown precision: class ``i`` holds ``cuts[i-1] <= v <
    cuts[i]`` (the first everything below ``cuts[0]``, the last from ``cuts[-1]``)."""

    cuts: tuple[float, ...]
    colours: tuple[str, ...]
    decimals: int
    signed: bool

    def of(self, value: float) -> int:
        return bisect_right(self.cuts, value + 10 ** -(self.decimals + 3))

    def labels(self, language: str) -> list[str]:
        """Each class's bounds as values the table can show (inclusive)."""
        step = 10**-self.decimals

        def fmt(value: float) -> str:
            return format_number(value, language, decimals=self.decimals, sign=self.signed)

        if not self.cuts:
            return [t("reports.map.all_values", language)]
        out = [t("reports.map.or_less", language, v=fmt(self.cuts[0] - step))]
        for low, high in pairwise(self.cuts):
            top = high - step
            out.append(
                fmt(low)
                if round(top - low, self.decimals) == 0
                else t("reports.map.range", language, low=fmt(low), high=fmt(top))
            )
        out.append(t("reports.map.or_more", language, v=fmt(self.cuts[-1])))
        return out


def _spread(scheme: tuple[str, ...], n: int) -> tuple[str, ...]:
    """``n`` colours of a five-colour scheme, spread over it (ends kept)."""
    if n >= len(scheme):
        return scheme
    if n == 1:
        return (scheme[len(scheme) // 2],)
    return tuple(scheme[round(i * (len(scheme) - 1) / (n - 1))] for i in range(n))


def sequential_classes(values: Sequence[float], decimals: int) -> Classes:
    """Up to five classes holding about a fifth of the municipalities each (cut points
    at the quintiles, rounded to the shown precision)."""
    if not values:
        return Classes((), _spread(SEQUENTIAL, 1), decimals, False)
    cuts = sorted(
        {
            round(float(q), decimals)
            for q in np.quantile(np.asarray(values, dtype="float64"), [0.2, 0.4, 0.6, 0.8])
        }
    )
    cuts = [c for c in cuts if min(values) < c <= max(values)]
    return Classes(tuple(cuts), _spread(SEQUENTIAL, len(cuts) + 1), decimals, False)


_NICE = (1.0, 2.0, 2.5, 3.0, 5.0)


def _nice(x: float, step: float) -> float:
    """The round number (1, 2, 2.5, 3 or 5 times a power of ten, and a whole number of
    ``step``s) nearest ``x`` (> 0) on a log scale; at least one ``step``."""
    if x <= step:
        return step
    power = 10 ** np.floor(np.log10(x))
    candidates = [
        n * p
        for p in (power / 10, power, power * 10)
        for n in _NICE
        if abs(n * p / step - round(n * p / step)) < 1e-9 and n * p >= step
    ]
    return float(min(candidates, key=lambda n: abs(np.log(n / x))))


def diverging_classes(values: Sequence[float], decimals: int, good_high: bool) -> Classes:
    """Five classes symmetric around zero: far below, below, about zero, above, far
    above; "far" starts at a round number near the median distance from zero, "about
    zero" is a round number near a third of that (at least one shown step)."""
    step = 10**-decimals
    distance = median([abs(v) for v in values]) if values else 0.0
    far = max(_nice(distance, step), 2 * step)
    near = min(_nice(far / 3, step), far - step)
    far, near = round(far, decimals), round(near, decimals)
    cuts = (-far + step, -near + step, near, far)
    cuts = tuple(round(c, decimals) for c in cuts)
    colours = DIVERGING if good_high else DIVERGING[::-1]
    return Classes(cuts, colours, decimals, True)


def classes_for(indicator: MapIndicator, values: Sequence[float]) -> Classes:
    if indicator.diverging:
        return diverging_classes(values, indicator.decimals, indicator.higher_is_better)
    return sequential_classes(values, indicator.decimals)


# --- geometry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shapes:
    """Each municipality's outline as an SVG path (``d``) in a ``width`` x ``height``
    box, the Bornholm inset's frame (x, y, width, height) and where each shape's middle
    lies (for the marker of a municipality too small to see)."""

    d: dict[int, str]
    width: int
    height: int
    inset: tuple[int, int, int, int]
    middle: dict[int, tuple[int, int]]
    size: dict[int, float]


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def _path(rings: list[np.ndarray]) -> str:
    """Rings as path data: integer points, the first absolute, the rest relative."""
    parts = []
    for ring in rings:
        points = np.rint(ring).astype("int64")
        moved = np.ones(len(points), dtype=bool)
        moved[1:] = np.any(points[1:] != points[:-1], axis=1)
        points = points[moved]
        if len(points) > 1 and (points[0] == points[-1]).all():
            points = points[:-1]
        if len(points) < 3:
            continue
        steps = " ".join(f"{dx} {dy}" for dx, dy in np.diff(points, axis=0))
        parts.append(f"M{points[0][0]} {points[0][1]}l{steps}z".replace(" -", "-"))
    return "".join(parts)


def shapes(
    tolerance: float,
    width: int,
    min_area: float,
    paths: ProjectPaths | None = None,
    codes: Sequence[int] | None = None,
) -> Shapes | None:
    """The municipalities' outlines laid out in a ``width``-wide box, Bornholm in an
    inset; None when the borders file is missing. ``codes`` (the reference's 98) must
    each have a shape: the join is on the code, and a code without one is an error."""
    paths = paths or get_paths()
    if not paths.municipality_boundaries.is_file():
        LOG.warning("no map: %s is missing", paths.municipality_boundaries)
        return None
    frame = load_boundaries(tolerance, paths)
    if codes is not None:
        missing = sorted(set(codes) - set(frame["code"]))
        problems = ProblemCollector(paths.municipality_boundaries)
        for code in missing:
            problems.add(
                "no border for a municipality",
                column="KOMKODE",
                expected="every code of municipalities.csv",
                found=f"{code:04d}",
            )
        problems.raise_if_any("the map cannot show every municipality")
    main = frame[frame["code"].ne(BORNHOLM)]
    island = frame[frame["code"].eq(BORNHOLM)]
    pad = width * 0.01
    x0, x1 = main["x"].min(), main["x"].max()
    y0, y1 = main["y"].min(), main["y"].max()
    scale = (width - 2 * pad) / (x1 - x0)
    height = int(np.ceil((y1 - y0) * scale + 2 * pad))
    shift = {code: (pad - x0 * scale, pad - y0 * scale) for code in main["code"].unique()}
    inset = (0, 0, 0, 0)
    if not island.empty:
        margin = width * 0.02
        bw = (island["x"].max() - island["x"].min()) * scale
        bh = (island["y"].max() - island["y"].min()) * scale
        left, top = width - pad - bw - 2 * margin, pad
        inset = (round(left), round(top), round(bw + 2 * margin), round(bh + 2 * margin))
        shift[BORNHOLM] = (
            left + margin - island["x"].min() * scale,
            top + margin - island["y"].min() * scale,
        )
    code_of = frame["code"].to_numpy()
    shift_x = np.array([shift[int(c)][0] for c in code_of])
    shift_y = np.array([shift[int(c)][1] for c in code_of])
    points = np.column_stack(
        [frame["x"].to_numpy() * scale + shift_x, frame["y"].to_numpy() * scale + shift_y]
    )
    keys = frame[["code", "polygon", "ring"]].to_numpy()
    starts = np.flatnonzero(np.r_[True, np.any(keys[1:] != keys[:-1], axis=1)])
    polygons: dict[int, dict[int, list[np.ndarray]]] = {}
    for first, last in zip(starts, [*starts[1:], len(keys)], strict=True):
        code, polygon, _ = (int(k) for k in keys[first])
        polygons.setdefault(code, {}).setdefault(polygon, []).append(points[first:last])
    d, middle, size = {}, {}, {}
    for code, parts in sorted(polygons.items()):
        ranked = sorted(parts.values(), key=lambda rings: -_area(rings[0]))
        kept = [ranked[0]] + [rings for rings in ranked[1:] if _area(rings[0]) >= min_area]
        d[code] = _path([ring for rings in kept for ring in rings])
        low, high = ranked[0][0].min(axis=0), ranked[0][0].max(axis=0)
        middle[code] = (round((low[0] + high[0]) / 2), round((low[1] + high[1]) / 2))
        size[code] = float(max(high - low))
    return Shapes(d, width, height, inset, middle, size)


# --- the index map ---------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def period_text(rows: Sequence[Mapping[str, object]], language: str) -> tuple[str, str] | None:
    """(the months the benchmark's levels average, the same months a year before), e.g.
    ('maj–juli 2026', 'maj–juli 2025'), when every row with a value names the same
    window, else None."""
    from analysis.benchmark.summaries import format_window

    windows = {
        (str(r.get(PERIOD_START_COLUMN) or r[PERIOD_COLUMN]), str(r[PERIOD_COLUMN]))
        for r in rows
        if not is_missing(r.get(PERIOD_COLUMN))
    }
    if len(windows) != 1:
        return None
    start, end = (pd.Period(p, freq="M") for p in windows.pop())
    return (
        format_window(str(start), str(end), language),
        format_window(str(start - 12), str(end - 12), language),
    )


@dataclass(frozen=True)
class IndexMap:
    """The index page's map: its section (HTML with an inline SVG) and its style (the
    colour of each class of each indicator, for the map and its legend alike)."""

    html: str
    css: str


def index_map(
    rows: Sequence[Mapping[str, object]],
    language: str,
    paths: ProjectPaths | None = None,
    codes: Sequence[int] | None = None,
) -> IndexMap | None:
    """The index page's map, or None without the borders file. ``rows``: the index
    table's rows (code, name, href and the headline fields); ``codes``: every code that
    must have a shape."""
    layout = shapes(INDEX_TOLERANCE, INDEX_WIDTH, INDEX_MIN_AREA, paths, codes)
    if layout is None:
        return None
    month, before = period_text(rows, language) or (
        t("reports.map.latest_month", language),
        t("reports.map.year_before", language),
    )
    values = {ind.key: [ind.value(r) for r in rows] for ind in INDICATORS}
    classes = {
        ind.key: classes_for(ind, [v for v in values[ind.key] if v is not None])
        for ind in INDICATORS
    }
    default = INDICATORS[0]
    links = []
    for n, row in enumerate(rows):
        code = int(row["code"])  # type: ignore[arg-type]
        if code not in layout.d:
            continue
        css = " ".join(
            f"{ind.key}{'n' if values[ind.key][n] is None else classes[ind.key].of(values[ind.key][n])}"  # noqa: E501
            for ind in INDICATORS
        )
        data = "".join(
            f' data-{ind.key}="{_e(";".join(ind.shown(row, language)))}"' for ind in INDICATORS
        )
        title = f"{row['name']}: {default.text(row, language)}"
        inner = f'<title>{_e(title)}</title><path class="{css}" d="{layout.d[code]}"/>'
        attrs = f'class="m" data-code="{code}" data-name="{_e(row["name"])}"{data}'
        if row.get("href"):
            links.append(f'<a href="{_e(row["href"])}" {attrs}>{inner}</a>')
        else:
            links.append(f"<g {attrs}>{inner}</g>")
    x, y, w, h = layout.inset
    svg = (
        f'<svg class="map-svg" viewBox="0 0 {layout.width} {layout.height}" '
        f'xmlns="http://www.w3.org/2000/svg" role="group" '
        f'aria-label="{_e(t("reports.map.aria", language))}">'
        '<defs><pattern id="map-na" width="8" height="8" patternUnits="userSpaceOnUse">'
        '<rect width="8" height="8" fill="#fff"/><path d="M0 8L8 0" stroke="#6b7780"/>'
        "</pattern></defs>"
        f'<rect class="map-inset" x="{x}" y="{y}" width="{w}" height="{h}"/>'
        f'<g class="map-shapes">{"".join(links)}</g>'
        '<path class="map-hl" d="M0 0"/></svg>'
    )
    legends = "".join(
        _legend(ind, classes[ind.key], values[ind.key], language, month, before)
        for ind in INDICATORS
    )
    choices = "".join(
        f'<label><input type="radio" name="map-indicator" value="{ind.key}"'
        f"{' checked' if ind is default else ''}> "
        f"{_e(t(f'reports.map.choice.{ind.name}', language))}</label>"
        for ind in INDICATORS
    )
    templates = "".join(f' data-tpl-{ind.key}="{_e(ind.template(language))}"' for ind in INDICATORS)
    templates += f' data-none="{_e(t("reports.map.no_value", language))}"'
    markup = (
        f'<section class="index-map" id="index-map" data-ind="{default.key}"{templates} '
        'aria-labelledby="index-map-title">'
        f'<h2 id="index-map-title">{_e(t("reports.map.title", language))}</h2>'
        '<div class="map-layout"><figure class="map-canvas">'
        f'{svg}<figcaption class="map-attribution">{_e(ATTRIBUTION)}</figcaption></figure>'
        '<div class="map-side">'
        f'<fieldset class="map-choice" hidden><legend>{_e(t("reports.map.choose", language))}'
        f"</legend>{choices}</fieldset>"
        f'<p class="map-readout" hidden>{_e(t("reports.map.hint", language))}</p>'
        f"{legends}</div></div></section>\n"
    )
    return IndexMap(markup, _index_css(classes))


def _legend(
    indicator: MapIndicator,
    classes: Classes,
    values: list[float | None],
    language: str,
    month: str,
    before: str,
) -> str:
    labels = classes.labels(language)
    counts = [0] * len(labels)
    for v in values:
        if v is not None:
            counts[classes.of(v)] += 1
    items = [
        f'<li><span class="sw {indicator.key}{i}" aria-hidden="true"></span>'
        f'{_e(label)} <span class="map-count">({_e(t("reports.map.count", language, n=n))})'
        "</span></li>"
        for i, (label, n) in enumerate(zip(labels, counts, strict=True))
    ]
    missing = sum(v is None for v in values)
    if missing:
        items.append(
            f'<li><span class="sw {indicator.key}n" aria-hidden="true"></span>'
            f'{_e(t("reports.map.no_value", language))} <span class="map-count">'
            f"({_e(t('reports.map.count', language, n=missing))})</span></li>"
        )
    part = f"reports.map.{{}}.{indicator.name}"
    note = t(part.format("note"), language)
    if not indicator.diverging and len(labels) < len(SEQUENTIAL):
        # quintiles that coincide at the shown precision (or few municipalities) give
        # fewer classes than five; say so rather than let "the quintiles" suggest five
        fewer = "reports.map.one_class" if len(labels) == 1 else "reports.map.fewer_classes"
        note += " " + t(fewer, language, n=len(labels))
    return (
        f'<div class="map-legend map-legend-{indicator.key}">'
        f'<p class="map-legend-title">'
        f"{_e(t(part.format('legend'), language, month=month, before=before))}</p>"
        f"<ul>{''.join(items)}</ul>"
        f'<p class="map-note">{_e(note)} '
        f"{_e(t('reports.map.source', language))}</p></div>"
    )


def _index_css(classes: Mapping[str, Classes]) -> str:
    """The map's style: each indicator's class colours (fill on the map, background in
    the legend's swatches) under ``[data-ind=...]``, which the switch sets."""
    rules = [_style("map.css")]
    hatch = "repeating-linear-gradient(-45deg, #fff 0 3px, #6b7780 3px 4px)"
    for ind in INDICATORS:
        scope = f'.index-map[data-ind="{ind.key}"]'
        rules.append(f"{scope} .map-legend-{ind.key} {{ display: block; }}")
        rules.append(f"{scope} .{ind.key}n {{ fill: url(#map-na); }}")
        rules.append(f".sw.{ind.key}n {{ background: {hatch}; }}")
        for n, colour in enumerate(classes[ind.key].colours):
            rules.append(f"{scope} .{ind.key}{n} {{ fill: {colour}; }}")
            rules.append(f".sw.{ind.key}{n} {{ background: {colour}; }}")
    return "\n".join(rules)


MAP_SCRIPT = """
(function () {
  var map = document.getElementById("index-map");
  if (!map) { return; }
  var choice = map.querySelector(".map-choice"), readout = map.querySelector(".map-readout");
  var hl = map.querySelector(".map-hl"), hint = readout.textContent;
  choice.hidden = false; readout.hidden = false;
  function text(m) {
    var key = map.getAttribute("data-ind"), values = m.getAttribute("data-" + key);
    var words = values ? map.getAttribute("data-tpl-" + key) : map.getAttribute("data-none");
    values.split(";").forEach(function (v, i) { words = words.replace("{" + "ab"[i] + "}", v); });
    return m.getAttribute("data-name") + ": " + words;
  }
  function show(m) { readout.textContent = text(m);
    hl.setAttribute("d", m.querySelector("path").getAttribute("d")); }
  function hide() { readout.textContent = hint; hl.setAttribute("d", "M0 0"); }
  choice.addEventListener("change", function (event) {
    map.setAttribute("data-ind", event.target.value);
    map.querySelectorAll(".m").forEach(function (m) {
      m.querySelector("title").textContent = text(m); });
    var active = map.querySelector(".m:focus"); if (active) { show(active); }
  });
  map.querySelectorAll(".m").forEach(function (m) {
    m.addEventListener("focus", function () { show(m); });
    m.addEventListener("mouseenter", function () { show(m); });
    m.addEventListener("blur", hide); m.addEventListener("mouseleave", hide);
  });
})();
"""


@cache
def _style(name: str) -> str:
    return (TEMPLATE_DIR / "caseload" / name).read_text(encoding="utf-8")


def locator_css() -> str:
    """The locator map's style (for the pages that show one)."""
    return _style("locator.css")


# --- the locator map -----------------------------------------------------------------------


def locator_map(
    code: int,
    members: Sequence[int],
    name: str,
    group_label: str,
    language: str,
    paths: ProjectPaths | None = None,
) -> str:
    """A small map (a few KB) with the municipality in dark and its comparison group
    (``members``, from the benchmark's cluster) in a lighter blue; "" without borders."""
    layout = shapes(LOCATOR_TOLERANCE, LOCATOR_WIDTH, LOCATOR_MIN_AREA, paths)
    if layout is None or code not in layout.d:
        return ""
    group = [m for m in dict.fromkeys(int(m) for m in members) if m != code and m in layout.d]
    rest = [c for c in layout.d if c != code and c not in group]

    def joined(codes: Sequence[int]) -> str:
        return "".join(layout.d[c] for c in codes)

    x, y, w, h = layout.inset
    marker = ""
    if layout.size[code] < 6:  # too small to see: a ring around it
        cx, cy = (
            min(max(v, 6), limit - 6)
            for v, limit in zip(layout.middle[code], (layout.width, layout.height), strict=True)
        )
        marker = f'<circle cx="{cx}" cy="{cy}" r="6" fill="none" stroke="{LOCATOR_SELF}"/>'
    if group:
        words = t(
            "reports.locator.with_group", language, name=name, group=group_label, n=len(group)
        )
    else:
        words = t("reports.locator.alone", language, name=name)
    group_path = f'<path fill="{LOCATOR_GROUP}" d="{joined(group)}"/>' if group else ""
    caption = f'<span class="loc-key" style="background:{LOCATOR_SELF}"></span>{_e(name)}'
    if group:
        caption += (
            f'<br><span class="loc-key" style="background:{LOCATOR_GROUP}"></span>'
            f"{_e(t('reports.locator.group', language, n=len(group)))}"
        )
    return (
        '<figure class="report-locator">'
        f'<svg viewBox="0 0 {layout.width} {layout.height}" xmlns="http://www.w3.org/2000/svg"'
        f' role="img" aria-label="{_e(words)}"><title>{_e(words)}</title>'
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="#aab2ba" '
        'stroke-width="0.5"/>'
        f'<path fill="{LOCATOR_REST}" d="{joined(rest)}"/>{group_path}'
        f'<path fill="{LOCATOR_SELF}" d="{layout.d[code]}"/>{marker}</svg>'
        f'<figcaption aria-hidden="true">{caption}</figcaption></figure>'
    )


#: the public names (the page builders, the palettes and classes the tests check)
__all__ = [
    "ATTRIBUTION",
    "INDICATORS",
    "MAP_SCRIPT",
    "Classes",
    "IndexMap",
    "MapIndicator",
    "Shapes",
    "classes_for",
    "diverging_classes",
    "index_map",
    "locator_css",
    "locator_map",
    "sequential_classes",
    "shapes",
]
