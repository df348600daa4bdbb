"""The maps: the index page's map of the 98 municipalities (links, names and values on
hover, Bornholm's inset, a legend with the breaks, the attribution, the same values as the
table) and each page's small locator map; both pass the exit's privacy gate."""

from __future__ import annotations

import logging
import re
from itertools import pairwise

import pytest
from lxml import etree
from lxml import html as lxml_html
from mapdata import columns, index_rows, with_borders

from analysis.errors import InputError
from analysis.publish import Gate, gate_html, output_policy
from analysis.reports import maps
from analysis.reports.index import index_html

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def geo_paths(isolated_paths):
    return with_borders(isolated_paths)


@pytest.fixture
def page(geo_paths) -> str:
    return index_html(index_rows(geo_paths), columns(), "da", css="", paths=geo_paths)


def _svg(markup: str) -> etree._Element:
    return etree.fromstring(re.search(r"<svg class=\"map-svg\".*?</svg>", markup, re.S).group(0))


def test_the_map_links_all_98_municipalities_with_name_and_value(page):
    svg = _svg(page)
    links = svg.findall(f".//{SVG}a")
    assert len(links) == 98
    by_code = {int(a.get("data-code")): a for a in links}
    assert 411 not in by_code  # Christiansø is not a municipality
    copenhagen = by_code[101]
    assert copenhagen.get("href") == "101-koebenhavn.html"
    title = copenhagen.find(f"{SVG}title").text
    assert title.startswith("København: ledighed ") and title.endswith(" %")
    assert all(a.find(f"{SVG}path").get("d").startswith("M") for a in links)


def test_bornholm_is_drawn_in_its_inset(page):
    svg = _svg(page)
    inset = svg.find(f".//{SVG}rect[@class='map-inset']")
    x, y, w, h = (float(inset.get(k)) for k in ("x", "y", "width", "height"))
    bornholm = svg.find(f".//{SVG}a[@data-code='400']/{SVG}path").get("d")
    start = re.match(r"M(\d+) (\d+)", bornholm).groups()
    assert x <= int(start[0]) <= x + w and y <= int(start[1]) <= y + h
    # the inset lies in the top right corner, away from Zealand (København's shape)
    width = float(svg.get("viewBox").split()[2])
    assert x + w > 0.9 * width and y < 0.1 * width
    assert w < 0.15 * width


def test_a_legend_for_every_indicator_with_its_breaks_and_source(page):
    tree = lxml_html.fromstring(page)
    for indicator in maps.INDICATORS:
        legend = tree.find_class(f"map-legend-{indicator.key}")
        assert len(legend) == 1
        items = legend[0].findall(".//li")
        assert len(items) >= 3
        assert sum(int(re.search(r"\((\d+) kom\.\)", i.text_content()).group(1))
                   for i in items) == 98  # fmt: skip
        assert "Jobindsats.dk / STAR" in legend[0].text_content()
        assert "maj–juli 2026" in legend[0].text_content(), "levels average three months"
    assert maps.ATTRIBUTION in tree.find_class("map-attribution")[0].text_content()
    assert "Farv kortet efter" in page
    # without script, the default indicator's legend is the one the style sheet shows
    assert 'data-ind="u"' in page and '.index-map[data-ind="u"] .map-legend-u' in page


def _table(tree) -> dict[int, dict[str, str]]:
    heads = [th.text_content() for th in tree.findall(".//table[@data-table='index']/thead//th")]
    out = {}
    for tr in tree.find_class("index-rows")[0].findall("tr"):
        cells = [td.text_content() for td in tr.findall("td")]
        out[int(tr.get("data-code"))] = dict(zip(heads, cells, strict=True))
    return out


def test_the_maps_values_are_the_tables(page):
    tree = lxml_html.fromstring(page)
    table = _table(tree)
    heads = dict(columns())
    shapes = _svg(page).findall(f".//{SVG}a")
    assert len(shapes) == len(table) == 98
    for a in shapes:
        row = table[int(a.get("data-code"))]
        assert a.get("data-u") == row[heads["benchmark_unemployment"]]
        assert a.get("data-d").lstrip("+") == row[heads["benchmark_unemployment_development"]]
        assert a.get("data-b").split(";") == [
            row[heads["benchmark_better"]],
            row[heads["benchmark_worse"]],
        ]
        assert a.get("data-g").split(";") == [
            row[heads["benchmark_up"]],
            row[heads["benchmark_down"]],
        ]


def test_each_colour_class_is_the_legend_class_of_the_shown_value(geo_paths):
    """A value is coloured by its class as the table shows it (one decimal), and the
    legend's bounds for that class contain it."""
    rows = index_rows(geo_paths)
    page = index_html(rows, columns(), "da", css="", paths=geo_paths)
    tree = lxml_html.fromstring(page)
    labels = [li.text_content() for li in tree.find_class("map-legend-u")[0].findall(".//li")]
    for a in _svg(page).findall(f".//{SVG}a"):
        shown = float(a.get("data-u").replace(",", "."))
        css = a.find(f"{SVG}path").get("class").split()
        klass = int(next(c for c in css if c.startswith("u"))[1:])
        label = labels[klass]
        numbers = [float(x.replace(",", ".")) for x in re.findall(r"-?\d+,\d", label)]
        if "eller mindre" in label:
            assert shown <= numbers[0]
        elif "eller mere" in label:
            assert shown >= numbers[0]
        else:
            assert numbers[0] <= shown <= numbers[-1], (a.get("data-name"), shown, label)


def test_classes_at_the_shown_precision():
    classes = maps.sequential_classes([1.2, 1.9, 2.0, 2.4, 2.5, 3.0, 3.1, 4.6], 1)
    labels = classes.labels("da")
    assert len(labels) == len(classes.colours) == len(classes.cuts) + 1
    assert labels[0].endswith("eller mindre") and labels[-1].endswith("eller mere")
    assert classes.of(classes.cuts[0]) == 1 and classes.of(classes.cuts[0] - 0.1) == 0
    tally = maps.diverging_classes([-7, -3, -2, 0, 1, 2, 3, 6], 0, good_high=True)
    assert tally.cuts == (-2, 0, 1, 3)
    assert tally.labels("da") == ["-3 eller mindre", "-2 til -1", "0", "+1 til +2", "+3 eller mere"]
    assert tally.colours[-1] == maps.DIVERGING[-1], "more better than worse: purple"
    change = maps.diverging_classes([-12.3, -8.0, -1.0, 0.4, 9.9, 15.0], 1, good_high=False)
    assert change.colours[0] == maps.DIVERGING[-1], "falling unemployment: purple (good)"
    assert change.of(0.0) == 2 and change.labels("en")[2].startswith("-")
    assert maps.sequential_classes([2.0, 2.0, 2.0], 1).labels("da") == ["alle værdier"]


def test_a_missing_value_is_hatched_and_named(geo_paths):
    rows = index_rows(geo_paths)
    rows[0] = {**rows[0], "status": "failed", "href": None,
               "benchmark_unemployment": None, "benchmark_better": None}  # fmt: skip
    page = index_html(rows, columns(), "da", css="", paths=geo_paths)
    svg = _svg(page)
    first = svg.find(f".//{SVG}g[@data-code='{rows[0]['code']}']")  # no page: no link
    assert first is not None and first.get("data-u") == ""
    assert first.find(f"{SVG}title").text.endswith("ingen tal")
    assert "un" in first.find(f"{SVG}path").get("class").split()
    assert "ingen tal" in lxml_html.fromstring(page).find_class("map-legend-u")[0].text_content()
    assert len(svg.findall(f".//{SVG}a")) == 97


def test_the_map_is_valid_svg_that_the_exit_gate_lets_through_unchanged(page):
    """Names of municipalities are not personal data: the gate (with the project's list
    of names to mask) must not refuse the map or change a byte of it."""
    gate = Gate(output_policy("pseudonymise"), "index.html")
    gated = gate_html(page, gate)
    assert gated == page
    assert not gate.changed


def test_english_map(geo_paths):
    page = index_html(index_rows(geo_paths), columns("en"), "en", css="", paths=geo_paths)
    assert "Colour the map by" in page and "July 2026" in page
    assert re.search(r"<title>København: unemployment \d\.\d%</title>", page)


def test_without_the_borders_file_the_index_has_no_map_and_says_why_in_the_log(
    isolated_paths, caplog
):
    with caplog.at_level(logging.WARNING, logger="analysis.reports.maps"):
        page = index_html(index_rows(isolated_paths), columns(), "da", css="", paths=isolated_paths)
    assert "<svg" not in page and "index-map" not in page.split("<script>")[0]
    assert "kommuner.topojson is missing" in caplog.text


def test_a_municipality_without_a_border_is_an_error_naming_the_code(geo_paths):
    rows = index_rows(geo_paths)
    rows.append({**rows[0], "code": 999, "name": "Atlantis"})
    with pytest.raises(InputError, match="no border for a municipality") as caught:
        index_html(rows, columns(), "da", css="", paths=geo_paths)
    assert "0999" in str(caught.value) and "kommuner.topojson" in str(caught.value)


# --- the locator map ------------------------------------------------------------------------


def test_locator_highlights_the_comparison_group_in_a_few_kb(geo_paths):
    group = (510, 540, 550, 561, 563, 573, 575, 621)
    markup = maps.locator_map(580, group, "Aabenraa", "Lignende kommuner", "da", geo_paths)
    assert len(markup.encode()) < 6_000
    svg = etree.fromstring(re.search(r"<svg.*</svg>", markup, re.S).group(0))
    fills = [p.get("fill") for p in svg.findall(f"{SVG}path")]
    assert fills == [maps.LOCATOR_REST, maps.LOCATOR_GROUP, maps.LOCATOR_SELF]
    layout = maps.shapes(maps.LOCATOR_TOLERANCE, maps.LOCATOR_WIDTH, maps.LOCATOR_MIN_AREA,
                         geo_paths)  # fmt: skip
    group_d = svg.findall(f"{SVG}path")[1].get("d")
    assert all(layout.d[code] in group_d for code in group)
    assert layout.d[580] not in group_d and layout.d[580] == svg.findall(f"{SVG}path")[2].get("d")
    title = svg.find(f"{SVG}title").text
    assert "Aabenraa" in title and "8 kommuner" in title and "Lignende kommuner" in title
    assert "klyngen, 8 kom." in markup  # the caption: a text twin of the colours
    assert svg.find(f"{SVG}circle") is None


def test_a_tiny_municipality_is_ringed_on_the_locator(geo_paths):
    markup = maps.locator_map(147, (101, 157), "Frederiksberg", "Omegn", "da", geo_paths)
    assert "<circle" in markup


def test_the_locator_passes_the_gate_unchanged(geo_paths):
    markup = maps.locator_map(825, (492, 741), "Læsø", "Øer", "da", geo_paths)
    gate = Gate(output_policy("pseudonymise"), "825-laesoe.html")
    assert gate_html(markup, gate) == markup


def _lightness(colour: str) -> float:
    """CIE L* of an sRGB colour: what is left of it in greyscale."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_the_palettes_read_in_greyscale():
    """Sequential: each class visibly darker than the one before; diverging: each side
    darker away from the middle; the locator's three colours far apart."""
    light = [_lightness(c) for c in maps.SEQUENTIAL]
    assert all(a - b >= 8 for a, b in pairwise(light)), light
    div = [_lightness(c) for c in maps.DIVERGING]
    assert div[0] < div[1] < div[2] > div[3] > div[4]
    self_, group, rest = (_lightness(c) for c in
                          (maps.LOCATOR_SELF, maps.LOCATOR_GROUP, maps.LOCATOR_REST))  # fmt: skip
    assert rest - group >= 15 and group - self_ >= 15


def test_few_classes_still_span_the_scheme_in_map_and_legend(geo_paths):
    """Three distinct values make three classes: light, middle and dark (not the three
    lightest), the same on the map and in the legend."""
    rows = [{**r, "benchmark_unemployment": (1.5, 2.5, 3.5)[n % 3]}
            for n, r in enumerate(index_rows(geo_paths))]  # fmt: skip
    drawn = maps.index_map(rows, "da", geo_paths)
    colours = maps.SEQUENTIAL[0], maps.SEQUENTIAL[2], maps.SEQUENTIAL[4]
    for n, colour in enumerate(colours):
        assert f'.index-map[data-ind="u"] .u{n} {{ fill: {colour}; }}' in drawn.css
        assert f".sw.u{n} {{ background: {colour}; }}" in drawn.css
    assert ".u3 " not in drawn.css
    assert len(lxml_html.fromstring(drawn.html).find_class("map-legend-u")[0].findall(".//li")) == 3


def _unemployment_note(drawn: maps.IndexMap) -> str:
    legend = lxml_html.fromstring(drawn.html).find_class("map-legend-u")[0]
    return legend.find_class("map-note")[0].text_content()


def test_the_note_says_when_the_quintiles_make_fewer_than_five_groups(geo_paths, page):
    """Before, a legend of three (or one) groups still said only "the bounds are the
    quintiles", which reads as five groups."""
    rows = index_rows(geo_paths)
    three = [{**r, "benchmark_unemployment": (1.5, 2.5, 3.5)[n % 3]} for n, r in enumerate(rows)]
    note = _unemployment_note(maps.index_map(three, "da", geo_paths))
    assert "Grænserne er kvintilerne" in note and "så der er kun 3 grupper" in note
    one = [{**r, "benchmark_unemployment": 2.0} for r in rows]
    assert "kun én gruppe" in _unemployment_note(maps.index_map(one, "da", geo_paths))
    english = _unemployment_note(maps.index_map(three, "en", geo_paths))
    assert "so there are only 3 groups" in english
    five = lxml_html.fromstring(page).find_class("map-legend-u")[0]
    assert len(five.findall(".//li")) == 5
    assert "grupper" not in five.find_class("map-note")[0].text_content()


def test_the_legends_name_the_three_month_window_and_the_year_before(page):
    text = lxml_html.fromstring(page).text_content()
    assert "Ledighed i pct. af arbejdsstyrken, maj–juli 2026" in text
    assert "Ledighedens udvikling fra maj–juli 2025 til maj–juli 2026" in text
