"""Planning a batch: the run's options, which notebooks run for which municipality (its
jobs), the keys that say whether a page is current, and every file a run may write.

Nothing here executes a notebook; :mod:`analysis.reports.batch.workers` runs the jobs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import analysis
from analysis.errors import AnalysisError
from analysis.fileio import sha256_bytes, sha256_file
from analysis.paths import DEFAULT_LANGUAGE, LANGUAGES, ProjectPaths
from analysis.reports import committed, outputs
from analysis.reports.batch.layout import NATIONAL_CODE, PageFiles, RunLayout
from analysis.reports.sections import NATIONAL, section_for

#: Subfolder of the reports folder for runs of only some of the notebooks.
PARTIAL_FOLDER = "partial"


@dataclass(frozen=True)
class RunOptions:
    municipalities: tuple[int, ...]
    notebooks: tuple[Path, ...]
    language: str = DEFAULT_LANGUAGE
    workers: int = 0
    output: Path | None = None
    retry_failed: bool = False
    force: bool = False
    allow_personal_data: bool = False
    scheduler: str | None = None
    timeout: float = 600.0
    progress: bool = True
    allow_nonempty_output: bool = False
    #: run notebooks that differ from their committed version (said in every footer)
    allow_modified_notebooks: bool = False


@dataclass(frozen=True)
class MunicipalityJob:
    code: int
    name: str
    slug: str
    region: str
    language: str
    notebooks: tuple[tuple[str, str, dict[str, Any]], ...]  # (key, path, parameters)
    files: PageFiles
    key: str
    allow_personal_data: bool
    timeout: float
    root: str
    #: the content hash of each notebook as checked before the run (key -> hash): a
    #: worker runs a notebook only if its content is still that one
    contents: tuple[tuple[str, str], ...] = ()
    #: the footer's line on the notebooks' versions (committed, changed, unchecked)
    versions: str = ""

    @property
    def html(self) -> str:
        return str(self.files.html)

    @property
    def notebook_dir(self) -> str:
        return str(self.files.notebook_dir)

    @property
    def state(self) -> str:
        return str(self.files.state)

    def identity(self) -> dict[str, Any]:
        """The fields every run record starts with, whether the run succeeded or not."""
        return {
            "code": self.code,
            "name": self.name,
            "slug": self.slug,
            "region": self.region,
            "language": self.language,
            "key": self.key,
        }


def default_notebooks(paths: ProjectPaths) -> tuple[Path, ...]:
    return tuple(sorted(paths.notebooks.glob("[0-9][0-9]_*.ipynb")))


def chosen_notebooks(options: RunOptions, paths: ProjectPaths) -> tuple[Path, ...]:
    """The notebooks a run executes: those given, else the project's own."""
    return tuple(options.notebooks) or default_notebooks(paths)


def resolve_notebooks(names: Iterable[str], paths: ProjectPaths) -> tuple[Path, ...]:
    """Notebook arguments as given on the command line: paths, file names or stems."""
    found = []
    for name in names:
        candidates = [Path(name), paths.notebooks / name, paths.notebooks / f"{name}.ipynb"]
        match = next((c for c in candidates if c.is_file()), None)
        if match is None:
            raise AnalysisError(f"notebook {name!r} not found (looked in {paths.notebooks})")
        check_notebook(match)
        found.append(match.resolve())
    return tuple(found)


def check_notebook(path: Path) -> None:
    """Refuse a file that is not a Jupyter notebook. Never echoes any of its content (the
    parsers' own messages quote it, which for ``/etc/passwd`` is a line of the file)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnalysisError(f"cannot read notebook {path}: {os.strerror(exc.errno or 0)}") from None
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError):  # not JSON, or not UTF-8 text at all
        notebook = None
    if not (
        isinstance(notebook, dict)
        and isinstance(notebook.get("cells"), list)
        and isinstance(notebook.get("metadata"), dict)
        and isinstance(notebook.get("nbformat"), int)
    ):
        raise AnalysisError(
            f"{path} is not a Jupyter notebook (expected an .ipynb file: JSON with "
            "'cells', 'metadata' and 'nbformat')"
        )


def _declared_parameters(notebook: Path) -> set[str]:
    import papermill as pm

    try:
        return set(pm.inspect_notebook(str(notebook)).keys())
    except Exception as exc:  # the message may quote the file: name only the kind
        raise AnalysisError(
            f"cannot read the parameters of notebook {notebook} ({type(exc).__name__}); "
            "open it in JupyterLab to check it"
        ) from None


def _tree_hash(files: Iterable[Path], root: Path) -> str:
    parts = []
    for file in sorted(files):
        try:
            name = str(file.relative_to(root))
        except ValueError:
            name = file.name
        parts.append(f"{name}:{sha256_file(file)}")
    return sha256_bytes("\n".join(parts).encode("utf-8"))


def batch_fingerprint(paths: ProjectPaths, notebooks: Sequence[Path]) -> str:
    """Hash of everything a report depends on besides its parameters (the notebooks by
    their content: cells, not outputs)."""
    package = Path(analysis.__file__).resolve().parent
    code = [
        p
        for p in package.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".yaml", ".j2", ".json", ".css", ".xsd"}
        and "__pycache__" not in p.parts
    ]
    raw = [p for p in paths.raw.rglob("*") if p.is_file()]
    return sha256_bytes(
        "|".join(
            [
                _tree_hash(code, package),
                _tree_hash(raw, paths.raw),
                *(committed.file_content_hash(nb) for nb in sorted(notebooks)),
            ]
        ).encode("utf-8")
    )


def partial_selection(options: RunOptions, paths: ProjectPaths) -> tuple[str, ...]:
    """The chosen notebooks' stems (sorted) when they are not the project's full set of
    notebooks, else ``()``: such a run makes pages with only some of the sections."""
    if not options.notebooks:
        return ()
    chosen = {Path(p).resolve() for p in options.notebooks}
    if chosen == {p.resolve() for p in default_notebooks(paths)}:
        return ()
    return tuple(sorted({Path(p).stem for p in options.notebooks}))


def project_output_dirs(paths: ProjectPaths) -> set[Path]:
    """The project's own report folders (``reports/`` and ``reports/<language>/``)."""
    base = paths.reports.resolve()
    return {base} | {base / lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE}


def output_dir(options: RunOptions, paths: ProjectPaths) -> Path:
    """``--output`` exactly as given; by default ``reports/``, and ``reports/<language>/``
    for a language other than Danish so the two sets never overwrite each other. A partial
    run goes by default to ``partial/<stem>+<stem>/`` below that, so its pages (with only
    the chosen sections) never replace the full ones."""
    if options.output is not None:
        return Path(options.output).resolve()
    base = paths.reports.resolve()
    base = base if options.language == DEFAULT_LANGUAGE else base / options.language
    partial = partial_selection(options, paths)
    return base / PARTIAL_FOLDER / "+".join(partial) if partial else base


def _check_codes(codes: Iterable[int], paths: ProjectPaths) -> None:
    from analysis.data.reference import load_municipalities

    known = set(load_municipalities(paths.municipalities_csv)["code"])
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise AnalysisError(
            f"unknown municipality code(s): {', '.join(map(str, unknown))} "
            f"(see {paths.municipalities_csv})"
        )


def plan_jobs(options: RunOptions, paths: ProjectPaths) -> list[MunicipalityJob]:
    """One job per municipality with the notebooks that apply to it."""
    from analysis.data.reference import load_municipalities

    table = load_municipalities(paths.municipalities_csv).set_index("code")
    _check_codes(options.municipalities, paths)
    notebooks = chosen_notebooks(options, paths)
    if not notebooks:
        raise AnalysisError(f"no notebooks found in {paths.notebooks}")
    layout = RunLayout(output_dir(options, paths))
    fingerprint = batch_fingerprint(paths, notebooks)
    checks = {c.key: c for c in committed.check_notebooks(notebooks)}
    applicable: dict[str, set[int] | None] = {}
    declared: dict[Path, set[str]] = {}
    sections = {nb_path: section_for(nb_path) for nb_path in notebooks}
    for nb_path, section in sections.items():
        where = section.applies_to
        applicable[nb_path.stem] = {int(c) for c in where(paths)} if where else None
        declared[nb_path] = _declared_parameters(nb_path)
    national = [nb for nb in notebooks if sections[nb].scope == NATIONAL]
    notebooks = [nb for nb in notebooks if sections[nb].scope != NATIONAL]
    jobs = (
        [_national_job(national, options, paths, layout, fingerprint, checks)] if national else []
    )
    for code in options.municipalities:
        row = table.loc[code]
        files = layout.page(int(code), str(row["slug"]))
        entries = []
        for nb_path in notebooks:
            codes = applicable[nb_path.stem]
            if codes is not None and code not in codes:
                continue
            params: dict[str, Any] = {"municipality": int(code), "language": options.language}
            if "allow_personal_data" in declared[nb_path]:
                params["allow_personal_data"] = options.allow_personal_data
            if "privacy" in declared[nb_path] and options.allow_personal_data:
                params["privacy"] = "allow"  # only ever by the explicit switch
            for parameter, linked in sections[nb_path].links.items():
                if parameter in declared[nb_path]:
                    params[parameter] = str(files.notebook(linked))
            entries.append((nb_path.stem, str(nb_path), params))
        versions = versions_line([checks[k] for k, _, _ in entries], options.language)
        key = sha256_bytes(
            json.dumps(
                [fingerprint, entries, options.allow_personal_data, versions],
                sort_keys=True,
                default=str,
            ).encode("utf-8")
        )
        jobs.append(
            MunicipalityJob(
                code=int(code),
                name=str(row["name"]),
                slug=str(row["slug"]),
                region=str(row["region"]),
                language=options.language,
                notebooks=tuple(entries),
                files=files,
                key=key,
                allow_personal_data=options.allow_personal_data,
                timeout=options.timeout,
                root=str(paths.root),
                contents=tuple((k, checks[k].content) for k, _, _ in entries),
                versions=versions,
            )
        )
    return jobs


def versions_line(checks: Sequence[committed.NotebookCheck], language: str) -> str:
    """The footer's line on the versions of a page's notebooks: all committed, or which
    differ from the committed version (run with the option) and which could not be
    checked (no git repository)."""
    from analysis.labels import t

    changed = [c.key for c in checks if c.status == committed.CHANGED]
    unchecked = [c for c in checks if c.status == committed.UNCHECKED]
    parts = []
    if changed:
        parts.append(t("reports.prov.notebooks_changed", language, names=", ".join(changed)))
    if unchecked:
        names = ", ".join(c.key for c in unchecked)
        parts.append(t("reports.prov.notebooks_unchecked", language, names=names))
    return "; ".join(parts) or t("reports.prov.notebooks_committed", language)


def _national_job(
    notebooks: Sequence[Path],
    options: RunOptions,
    paths: ProjectPaths,
    layout: RunLayout,
    fingerprint: str,
    checks: dict[str, committed.NotebookCheck],
) -> MunicipalityJob:
    """The one job of a run that writes the national report (``national.html``)."""
    from analysis.labels import t

    entries = tuple((nb.stem, str(nb), {"language": options.language}) for nb in notebooks)
    versions = versions_line([checks[k] for k, _, _ in entries], options.language)
    key = sha256_bytes(
        json.dumps(
            [fingerprint, entries, options.allow_personal_data, versions], default=str
        ).encode()
    )
    files = layout.national()
    return MunicipalityJob(
        code=NATIONAL_CODE,
        name=t("reports.national.name", options.language),
        slug=files.stem,
        region="",
        language=options.language,
        notebooks=entries,
        files=files,
        key=key,
        allow_personal_data=options.allow_personal_data,
        timeout=options.timeout,
        root=str(paths.root),
        contents=tuple((k, checks[k].content) for k, _, _ in entries),
        versions=versions,
    )


def read_record(path: Path | str) -> dict[str, Any] | None:
    """A run record (``.state/<code>.json``); None when it is missing or not a record.
    A pipe, device or link at its place is refused, never read (it could block)."""
    try:
        data = json.loads(outputs.read_regular_text(Path(path)))
    except (FileNotFoundError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def read_state(job: MunicipalityJob) -> dict[str, Any] | None:
    return read_record(job.state)


def is_current(job: MunicipalityJob) -> bool:
    state = read_state(job)
    return bool(
        state
        and state.get("status") == "ok"
        and state.get("key") == job.key
        and Path(job.html).is_file()
        and state.get("html_sha256") == sha256_file(job.html)
        and (job.files.committee is None or job.files.committee.is_file())
    )


def job_targets(job: MunicipalityJob) -> list[Path]:
    """Every file running ``job`` may write."""
    return job.files.targets([key for key, _, _ in job.notebooks])


def _batch_named_files(folder: Path, paths: ProjectPaths) -> list[Path]:
    """Files in ``folder`` at the paths earlier versions wrote (adopted as the batch's)."""
    from analysis.data.reference import load_municipalities

    layout = RunLayout(folder)
    found = [layout.index, folder / outputs.LOCK]
    pages = [layout.national()] + [
        layout.page(int(row.code), str(row.slug))
        for row in load_municipalities(paths.municipalities_csv).itertuples(index=False)
    ]
    for page in pages:
        found += [page.html, page.state]
        if page.notebook_dir.is_dir():
            found += [p for p in page.notebook_dir.glob("*.ipynb") if not p.name.startswith(".")]
    return [p for p in found if p.is_file()]


def expected_targets(options: RunOptions, paths: ProjectPaths, out: Path) -> list[Path]:
    """Every file this run may write, known before any planning (a superset of its jobs'
    own: all chosen notebooks, whether or not they apply to a municipality)."""
    from analysis.data.reference import load_municipalities

    table = load_municipalities(paths.municipalities_csv).set_index("code")
    chosen = chosen_notebooks(options, paths)
    national = [Path(p).stem for p in chosen if section_for(Path(p)).scope == NATIONAL]
    keys = [Path(p).stem for p in chosen if Path(p).stem not in national]
    layout = RunLayout(out)
    files = [layout.index]
    if national:
        files += layout.national().targets(national)
    for code in options.municipalities:
        page = layout.page(int(code), str(table.loc[code, "slug"]))
        files += page.targets(keys)
    return files


def refuse_partial_pages(options: RunOptions, paths: ProjectPaths, out: Path) -> None:
    """A partial run must not replace a page that has sections it does not run (such a
    page's run record lists other notebooks, so it would never be skipped as current)."""
    from analysis.data.reference import load_municipalities

    partial = partial_selection(options, paths)
    if not partial or options.retry_failed:  # a retry reruns failed pages only
        return
    table = load_municipalities(paths.municipalities_csv).set_index("code")
    losing = []
    for code in options.municipalities:
        files = RunLayout(out).page(int(code), str(table.loc[code, "slug"]))
        page, state = files.html, read_record(files.state)
        if state is None or state.get("status") != "ok" or not page.is_file():
            continue
        had = [n.get("notebook") for n in state.get("notebooks") or [] if isinstance(n, dict)]
        lost = [str(key) for key in had if key not in partial]
        if lost:
            losing.append((page, lost))
    if losing:
        page, lost = losing[0]
        more = f" (and {len(losing) - 1} more page(s) like it)" if len(losing) > 1 else ""
        default = output_dir(replace(options, output=None), paths)
        raise AnalysisError(
            f"{page} also has the section(s) {', '.join(lost)}{more}; this run of only "
            f"{', '.join(partial)} would replace it with a partial page. Run all notebooks, "
            f"or give another --output folder (without --output, this partial run writes "
            f"to {default})."
        )
