"""The run's index page, rebuilt after every run from the run records of all
municipalities (so pages of earlier runs stay listed)."""

from __future__ import annotations

from pathlib import Path

from analysis.paths import ProjectPaths
from analysis.publish import output_policy, publish_html
from analysis.reports.batch.layout import RunLayout
from analysis.reports.batch.planning import RunOptions, output_dir, read_record
from analysis.reports.outputs import OutputWriteError
from analysis.reports.sections import HEADLINES


def write_index(options: RunOptions, paths: ProjectPaths) -> Path:
    """Rebuild the index page from the state records of every municipality."""
    from analysis.data.reference import load_municipalities

    policy = output_policy("allow" if options.allow_personal_data else "pseudonymise")
    from analysis.reports.export import _css
    from analysis.reports.index import index_html

    layout = RunLayout(output_dir(options, paths))
    lang = options.language
    rows = []
    for row in load_municipalities(paths.municipalities_csv).itertuples(index=False):
        page = layout.page(int(row.code), str(row.slug))
        state = read_record(page.state) or {}
        status = state.get("status", "missing")
        rows.append(
            {
                "code": int(row.code),
                "name": row.name,
                "region": row.region,
                "status": status,
                "error": state.get("error"),
                "href": page.html.name if page.html.is_file() else None,
                "committee_href": (
                    page.committee.name
                    if page.committee is not None and page.committee.is_file()
                    else None
                ),
                **(state.get("headline") or {}),
            }
        )
    from analysis.labels import t

    columns = [(h.column, t(f"reports.index.headline.{h.column}", lang)) for h in HEADLINES]
    target = layout.index
    try:
        # error messages of failed runs can quote a text: the index passes the gate too
        national = layout.national().html
        markup = index_html(
            rows,
            columns,
            lang,
            _css(),
            national_href=national.name if national.is_file() else None,
            paths=paths,
        )
        publish_html(target, markup, policy)
    except OSError as exc:  # disk full ...: the previous index stays as it was
        raise OutputWriteError(target, exc) from None
    return target
