"""Build the demo corpus in ``data/raw/interviews/quotes.csv`` from published quotes.

Every quote is cut out of a seed document (``../shared/seeds`` next to the repository,
read-only) between a start marker and an end marker on a given line, so the corpus holds
only exact substrings of the seeds - no invented or paraphrased text. Each quote keeps
its provenance: seed file name, line number and character offset in the seed file.

Run (from anywhere)::

    python -m analysis.qual.demo_corpus            # writes data/raw/interviews/quotes.csv
    python -m analysis.qual.demo_corpus --seeds DIR --output FILE

What each source is and how its attributes were assigned is documented in
``data/raw/interviews/README.md``; the built file is committed, so nothing else needs
the seeds.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, InputProblem
from analysis.paths import get_paths
from analysis.qual.corpus import Corpus, make_corpus, write_quote_table


@dataclass(frozen=True)
class Q:
    """One quote: source, seed (file prefix), line, start and end marker, own period."""

    source_id: str
    seed: str
    line: int
    head: str
    tail: str
    period: str | None = None


SEEDS = {
    "000": "Skals (KP), slides 4.4.2019: Hedeby case study and Lærkevej quotes",
    "001": "Københavns Kommune, udvalgsnotat 27.8.2018: forsøg med lavere sagsstammer (KP)",
    "002": "KL's Konsulentvirksomhed, rapport om Jobcenter Aabenraa 2.2.2012",
    "003": "Københavns Kommune, BIF: handleplan efter taskforcen for førtidspension/fleksjob 2018",
    "004": "Rødovre Jobcenter, internt notat om ressourceanvendelsen 2014-15 (ledelsen)",
}

_PERIOD_DA = {"foer": "før", "under": "under"}
_HEDEBY = {"municipality_code": None, "area": "sygedagpenge", "setting": "Hedeby 2013/14"}
_KP = {"municipality_code": 101, "department": "forsoeg", "round": 1, "area": "kontanthjaelp"}
_KP_T2 = {**_KP, "role": "sagsbehandler", "source_type": "skriftligt_svar"}
_AABENRAA = {"municipality_code": 580, "source_type": "gruppeinterview"}
_AABENRAA_STAFF = {**_AABENRAA, "role": "sagsbehandler", "department": "ordinaer"}
#: policy documents: sources that are not persons (see data/raw/interviews/README.md)
_DOCUMENT = {"source_type": "dokument"}

SOURCES: dict[str, dict[str, object]] = {
    "hedeby_forvaltningsdirektoer": {
        **_HEDEBY,
        "name": "Hedeby: forvaltningsdirektøren",
        "role": "direktoer",
        "position": "forvaltningsdirektør",
        "source_type": "interview",
    },
    "hedeby_jobcenterchef": {
        **_HEDEBY,
        "name": "Hedeby: jobcenterchefen",
        "role": "leder",
        "position": "jobcenterchef",
        "department": "ordinaer",
        "source_type": "interview",
    },
    "hedeby_teamchef": {
        **_HEDEBY,
        "name": "Hedeby: teamchefen",
        "role": "leder",
        "position": "teamchef",
        "department": "ordinaer",
        "source_type": "interview",
    },
    "hedeby_ny_leder": {
        **_HEDEBY,
        "name": "Hedeby: ny leder for sygedagpengeområdet (2010)",
        "role": "leder",
        "position": "leder, sygedagpenge",
        "department": "ordinaer",
        "source_type": "interview",
    },
    "hedeby_sbh7": {
        **_HEDEBY,
        "name": "Hedeby: sagsbehandler SBH7",
        "role": "sagsbehandler",
        "position": "sagsbehandler",
        "department": "ordinaer",
        "source_type": "interview",
    },
    "laerkevej_sagsbehandlere": {
        "name": "Jobcenter Lærkevej: sagsbehandlere (Information 18.9.2017)",
        "municipality_code": 101,
        "role": "sagsbehandler",
        "department": "ordinaer",
        "period": "foer",
        "source_type": "avisindlaeg",
        "area": "kontanthjaelp",
        "setting": "Jobcenter Lærkevej 2017",
    },
    **{
        f"kp_t2_{period}_{i}": {
            **_KP_T2,
            "name": f"KP tabel 2: skriftligt svar, {_PERIOD_DA[period]} ({i})",
            "period": period,
            "setting": "JKI forsøgsafdeling 2018",
        }
        for period in ("foer", "under")
        for i in (1, 2, 3)
    },
    "kp_t3_sagsbehandler": {
        **_KP_T2,
        "name": "KP tabel 3: skriftligt svar, forskellen før/under",
        "period": "under",
        "setting": "JKI forsøgsafdeling 2018",
    },
    "kp_borger": {
        **_KP,
        "name": "KP borgerinterview: en borger",
        "role": "borger",
        "source_type": "interview",
        "setting": "JKI forsøgsafdeling 2018",
    },
    "aabenraa_medarbejdere_sygedagpenge": {
        **_AABENRAA_STAFF,
        "name": "Aabenraa: medarbejdere, sygedagpenge (bilag 1)",
        "area": "sygedagpenge",
        "setting": "Jobcenter Aabenraa 2011",
    },
    "aabenraa_medarbejdere_fleksjob_ledighedsydelse": {
        **_AABENRAA_STAFF,
        "name": "Aabenraa: medarbejdere, fleksjob og ledighedsydelse (bilag 2)",
        "area": "fleksjob_ledighedsydelse",
        "setting": "Jobcenter Aabenraa 2011",
    },
    "aabenraa_medarbejdere_kontanthjaelp": {
        **_AABENRAA_STAFF,
        "name": "Aabenraa: medarbejdere, kontanthjælp (bilag 3)",
        "area": "kontanthjaelp",
        "setting": "Jobcenter Aabenraa 2011",
    },
    "aabenraa_medarbejdere_tvaergaaende": {
        **_AABENRAA_STAFF,
        "name": "Aabenraa: medarbejdere på tværs (rapport og bilag 4)",
        "setting": "Jobcenter Aabenraa 2011",
    },
    "aabenraa_ledergruppe": {
        **_AABENRAA,
        "name": "Aabenraa: jobcentrets ledergruppe",
        "role": "leder",
        "position": "afdelingsleder/mellemleder",
        "department": "ordinaer",
        "setting": "Jobcenter Aabenraa 2011",
    },
    "aabenraa_formandskab": {
        **_AABENRAA,
        "name": "Aabenraa: formandskabet for arbejdsmarkedsudvalget",
        "role": "politiker",
        "position": "formand for arbejdsmarkedsudvalget",
        "setting": "Aabenraa Kommune 2011",
    },
    "aabenraa_oekonomiske_konsulenter": {
        **_AABENRAA,
        "name": "Aabenraa: områdets økonomiske konsulenter",
        "role": "oekonomikonsulent",
        "setting": "Aabenraa Kommune 2011",
    },
    "kk_handleplan_2018": {
        **_DOCUMENT,
        "name": "København: handleplan for førtidspension og fleksjob (forvaltningen, 2018)",
        "municipality_code": 101,
        "author": "forvaltning",
        "year": 2018,
        "setting": "Beskæftigelses- og Integrationsforvaltningen 2018",
    },
    "roedovre_notat_2015": {
        **_DOCUMENT,
        "name": "Rødovre: internt notat om ressourceanvendelsen (ledelsen, 2014-15)",
        "municipality_code": 175,
        "author": "ledelse",
        "year": 2015,
        "setting": "Rødovre Jobcenter 2014-15",
    },
}

H_DIR, H_JCC, H_TC = "hedeby_forvaltningsdirektoer", "hedeby_jobcenterchef", "hedeby_teamchef"
H_NY, H_SBH7, LV = "hedeby_ny_leder", "hedeby_sbh7", "laerkevej_sagsbehandlere"
KP_T3, KP_BORGER = "kp_t3_sagsbehandler", "kp_borger"
A_SDP = "aabenraa_medarbejdere_sygedagpenge"
A_FLEKS = "aabenraa_medarbejdere_fleksjob_ledighedsydelse"
A_KTH = "aabenraa_medarbejdere_kontanthjaelp"
A_TVAER = "aabenraa_medarbejdere_tvaergaaende"
A_LED, A_POL = "aabenraa_ledergruppe", "aabenraa_formandskab"
A_OEK = "aabenraa_oekonomiske_konsulenter"
KK_DOK, RO_DOK = "kk_handleplan_2018", "roedovre_notat_2015"

# fmt: off
QUOTES: tuple[Q, ...] = (
    Q(H_DIR, "000", 94, "Jeg kan", "noget ved"),
    Q(H_DIR, "000", 98, "Vi lå", "der er"),
    Q(H_DIR, "000", 99, "Når jeg", "afkorte sygedagpengeforløbene"),
    Q(H_SBH7, "000", 103, "Jeg var", "mange varighedssager"),
    Q(H_NY, "000", 107, "Jeg kom", "mange myndighedsområder"),
    Q(H_DIR, "000", 111, "Det [den", "gjorde før"),
    Q(H_JCC, "000", 115, "Når jeg", "politisk niveau"),
    Q(H_TC, "000", 116, "Jeg tror", "i maskineriet"),
    Q(H_DIR, "000", 122, "Altså vores", "givet resultater"),
    Q(H_DIR, "000", 126, "Der må", "gør de"),
    Q(H_JCC, "000", 130, "Det er", "varetage udvalgsarbejdet"),
    Q(H_JCC, "000", 134, "Sygedagpengeområdet er", "lange sager"),
    Q(H_TC, "000", 138, "Man [jeg]", "det hele"),
    Q(H_TC, "000", 139, "Man skal", "hurtigst muligt"),
    Q(H_TC, "000", 143, "Det er", "har lagt"),
    Q(H_TC, "000", 144, "De [sagsbehandlerne]", "enkelte sag"),
    Q(H_JCC, "000", 148, "Det er", "i sagen"),
    Q(H_DIR, "000", 161, "Du kan", "engang har"),
    Q(H_TC, "000", 165, "Ansvarer er", "jeg administrativt"),
    Q(H_JCC, "000", 169, "Efter min", "på varigheden"),
    Q(H_JCC, "000", 173, "Farescenariet er,", "fristet til"),
    Q(H_JCC, "000", 174, "Jeg ved", "professionelle grundlag"),
    Q(H_JCC, "000", 175, "Hvis det", "alt indflydelse"),
    Q(H_JCC, "000", 179, "Altså, hvis", "er muligt"),
    Q(H_JCC, "000", 183, "Altså, det", "ikke rimeligt"),
    Q(H_JCC, "000", 184, "Jeg har", "også kan lade sig gøre"),
    Q(H_JCC, "000", 188, "Så bruger", "er, jo nemmere går alt ledelse"),
    Q(H_JCC, "000", 192, "Det er", "understøtte de der jobafklaringsforløb"),
    Q(LV, "000", 241, "På Jobcenter", "på kontanthjælp"),
    Q(LV, "000", 242, "Vores arbejdsuge", "eftermiddagsholdet overtager"),
    Q(LV, "000", 243, "Der er", "tjekket ind."),
    Q(LV, "000", 247, "Vi taler", "hænge sammen."),
    Q(LV, "000", 248, "Mange af", "vedkommendes situation."),
    Q(KP_BORGER, "001", 70, "en maskinel", "afvisende behandling", "foer"),
    Q(KP_BORGER, "001", 70, "kendskab og", "fat på", "under"),
    Q("kp_t2_foer_1", "001", 125, "Ringe. Føltes", "end sagsbehandling"),
    Q("kp_t2_foer_2", "001", 126, "God, hvis", "i arbejde/afklaret."),
    Q("kp_t2_foer_3", "001", 127, "Vurderer ikke,", "om tal"),
    Q("kp_t2_under_1", "001", 129, "Gode. Tæt", "bedre resultater"),
    Q("kp_t2_under_2", "001", 130, "God i", "arbejde/afklare dem"),
    Q("kp_t2_under_3", "001", 131, "Jeg vurderer,", "rigtig god"),
    Q(KP_T3, "001", 153, "Jeg definerer", "booker aftaler."),
    Q(KP_T3, "001", 155, "Jeg har", "leverandører mm."),
    Q(KP_T3, "001", 157, "Jeg har", "led over."),
    Q(KP_T3, "001", 158, "Med lavere", "med relationen."),
    Q(KP_T3, "001", 160, "Det, at", "andre ting."),
    Q(KP_T3, "001", 162, "Det, at", "eller mere"),
    Q(A_TVAER, "002", 58, "Vi har", "seneste år."),
    Q(A_SDP, "002", 707, "Prioriteringen er", "næste opfølgningssamtale"),
    Q(A_SDP, "002", 725, "Vi skal", "tidlige indsats."),
    Q(A_SDP, "002", 741, "Hvis de", "for eksempel"),
    Q(A_SDP, "002", 753, "Vi har", "fra fornemmelse."),
    Q(A_SDP, "002", 761, "Vi har", "et afklaringsforløb."),
    Q(A_SDP, "002", 769, "kvinder, der", "og børn"),
    Q(A_SDP, "002", 781, "Kontakten er", "og borgeren."),
    Q(A_SDP, "002", 807, "Jeg lægger", "have tid."),
    Q(A_SDP, "002", 839, "Hvis jeg", "lukke sagen."),
    Q(A_SDP, "002", 847, "Det er", "gøre noget."),
    Q(A_SDP, "002", 859, "Man skal", "to måneder."),
    Q(A_SDP, "002", 865, "Jeg kan", "er afklaret."),
    Q(A_SDP, "002", 877, "At vi", "hårdere linje."),
    Q(A_FLEKS, "002", 943, "Hvis vi", "sidste gejst!"),
    Q(A_FLEKS, "002", 995, "Vi har", "finde niveauet."),
    Q(A_FLEKS, "002", 1011, "Skulle borgeren", "fulgt op."),
    Q(A_LED, "002", 1019, "Det er", "faglig opkvalificering."),
    Q(A_FLEKS, "002", 1023, "Vi mangler", "rådighedsvurderinger ordentligt."),
    Q(A_KTH, "002", 1083, "De var", "i praktik."),
    Q(A_KTH, "002", 1087, "Vi har", "i gang."),
    Q(A_KTH, "002", 1115, "Vi synes,", "ordentlig måde."),
    Q(A_KTH, "002", 1121, "Vi skal", "flytte dem."),
    Q(A_POL, "002", 1149, "Beskæftigelsesområdet drøftes", "uden dis-kussion."),
    Q(A_LED, "002", 1177, "Mine medarbejdere", "en afdeling."),
    Q(A_TVAER, "002", 1181, "Det er", "ligger hvor."),
    Q(A_TVAER, "002", 1185, "Det skal", "til medarbejder."),
    Q(A_TVAER, "002", 1195, "Vi kan", "ikke hjælp."),
    Q(A_LED, "002", 1199, "Vi er", "ville have."),
    Q(A_TVAER, "002", 1211, "I starten", "de ok."),
    Q(A_TVAER, "002", 1215, "Nok godt nok!", ""),
    Q(A_TVAER, "002", 1217, "Det er", "positiv gulerod."),
    Q(A_TVAER, "002", 1237, "Det har", "af tid"),
    Q(A_TVAER, "002", 1237, "Ingen bruger", "for dårligt"),
    Q(A_TVAER, "002", 1237, "Jeg har", "været her"),
    Q(A_TVAER, "002", 1237, "På de", "alligevel ikke."),
    Q(A_TVAER, "002", 1249, "Vi ved", "nogen forskel"),
    Q(A_TVAER, "002", 1253, "Det skrives", "af det."),
    Q(A_TVAER, "002", 1257, "Vi har", "fra fornemmelse."),
    Q(A_OEK, "002", 1281, "Jobcentret er", "effekten indtræder."),
    Q(A_FLEKS, "002", 1297, "Jeg glæder", "være store."),
    Q(A_TVAER, "002", 1301, "Der er", "gode ideer."),
    Q(A_TVAER, "002", 1305, "Vi synes", "ordentlig måde."),
    Q(A_TVAER, "002", 1309, "Det har", "ting nu."),
    Q(A_TVAER, "002", 1315, "Det er", "de sager."),
    Q(A_TVAER, "002", 1327, "Lederne er", "det ud."),
    Q(A_LED, "002", 1331, "Vi er", "være synlige."),
    Q(A_TVAER, "002", 1337, "[Ledelsen] siger", "gerne vil?"),
    Q(KK_DOK, "003", 12, "Det kræver", "vist tempo."),
    Q(KK_DOK, "003", 28, "Det er", "jobcentrets indsats."),
    Q(KK_DOK, "003", 30, "Borgerne skal", "de modtager."),
    Q(KK_DOK, "003", 32, "Medarbejderne oplever", "for borgerne"),
    Q(KK_DOK, "003", 34, "Der er", "et fleksjob."),
    Q(KK_DOK, "003", 35, "Det er", "i handleplanen."),
    Q(KK_DOK, "003", 36, "Derfor foreslår", "nærmere fastlægges."),
    Q(KK_DOK, "003", 37, "Som resultatmål", "mere på kontanthjælp"),
    Q(KK_DOK, "003", 44, "Som resultatmål", "Lavere medarbejderomsætning"),
    Q(KK_DOK, "003", 53, "Forvaltningen foreslår", "komme i jobcentret"),
    Q(KK_DOK, "003", 64, "Medarbejderne oplever:", "bedre sagsbehandling"),
    Q(KK_DOK, "003", 97, "Aktiviteterne i", "hurtigst mulig afklaring."),
    Q(KK_DOK, "003", 104, "Bedre overblik", "smartere it-understøttelse"),
    Q(KK_DOK, "003", 123, "Aktiviteterne i", "som muligt."),
    Q(KK_DOK, "003", 136, "De aktiviteter,", "(under spor 2.d)"),
    Q(KK_DOK, "003", 149, "Det gode", "hurtig afklaring"),
    Q(KK_DOK, "003", 158, "Aktiviteterne i", "kan forbedres."),
    Q(RO_DOK, "004", 13, "Jobcentret har", "nye reformer."),
    Q(RO_DOK, "004", 15, "Medarbejderne i", "kommende løsninger."),
    Q(RO_DOK, "004", 17, "Jobcentret har", "mindre arbejdspress."),
    Q(RO_DOK, "004", 19, "Endeligt har", "bedre borgerservice."),
    Q(RO_DOK, "004", 30, "Det øgede", "konto 5."),
    Q(RO_DOK, "004", 32, "Konsulentfirmaet LG-Insight", "bør følges."),
    Q(RO_DOK, "004", 49, "Kerneopgaven i", "i effektbeskrivelser."),
    Q(RO_DOK, "004", 51, "Beskæftigelsestilbud skal", "i myndighedsafgørelser."),
    Q(RO_DOK, "004", 103, "Den nye", "enkelte medarbejder"),
    Q(RO_DOK, "004", 107, "Tilretningerne og", "forbedre arbejdsmiljøet."),
    Q(RO_DOK, "004", 109, "Samlet set", "på konto 5."),
    Q(RO_DOK, "004", 131, "Arbejdsindsatsen blandt", "i beskæftigelsestilbuddene."),
    Q(RO_DOK, "004", 133, "Det er", "alle målgrupper."),
    Q(RO_DOK, "004", 135, "Nye projekt-", "enkelte funktioner."),
    Q(RO_DOK, "004", 137, "Endeligt skal", "administrative byrder."),
    Q(RO_DOK, "004", 139, "Der skal", "række områder."),
)
# fmt: on


def default_seeds_dir() -> Path:
    """``../shared/seeds`` relative to the repository root."""
    return (get_paths().root / ".." / "shared" / "seeds").resolve()


def seed_files(seeds_dir: Path | str | None = None) -> dict[str, Path]:
    """Seed prefix ("000") -> seed file, for the seeds the demo corpus uses."""
    folder = Path(seeds_dir) if seeds_dir is not None else default_seeds_dir()
    found: dict[str, Path] = {}
    problems = []
    for prefix in SEEDS:
        matches = sorted(folder.glob(f"{prefix}_*.txt"))
        if len(matches) != 1:
            problems.append(
                InputProblem(
                    str(folder), f"expected one seed file {prefix}_*.txt", found=len(matches)
                )
            )
        else:
            found[prefix] = matches[0]
    if problems:
        raise InputError(
            problems, summary="seed documents not found (see data/raw/interviews/README.md)"
        )
    return found


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, char in enumerate(text) if char == "\n"]
    return starts


def locate(text: str, quote: Q) -> tuple[int, int]:
    """Start and end offset of a quote in its seed text (code points), from its markers."""
    starts = _line_starts(text)
    if not 1 <= quote.line <= len(starts):
        raise ValueError(f"line {quote.line} is outside the seed")
    line_start = starts[quote.line - 1]
    line_end = starts[quote.line] if quote.line < len(starts) else len(text)
    start = text.find(quote.head, line_start, line_end)
    if start < 0:
        raise ValueError(f"start marker {quote.head!r} not on line {quote.line}")
    if not quote.tail:
        return start, start + len(quote.head)
    tail = text.find(quote.tail, start + len(quote.head))
    if tail < 0:
        raise ValueError(f"end marker {quote.tail!r} not after line {quote.line}")
    return start, tail + len(quote.tail)


def demo_quote_rows(seeds_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per quote with its source attributes and provenance (from the seeds)."""
    files = seed_files(seeds_dir)
    texts = {prefix: path.read_text(encoding="utf-8") for prefix, path in files.items()}
    rows = []
    counters: dict[str, int] = {}
    problems = []
    for quote in QUOTES:
        text = texts[quote.seed]
        try:
            start, end = locate(text, quote)
        except ValueError as exc:
            problems.append(InputProblem(files[quote.seed].name, str(exc), row=quote.line))
            continue
        counters[quote.source_id] = counters.get(quote.source_id, 0) + 1
        rows.append(
            {
                "quote_id": f"{quote.source_id}-{counters[quote.source_id]:03d}",
                "source_id": quote.source_id,
                **SOURCES[quote.source_id],
                "quote_period": quote.period,
                "seed_file": files[quote.seed].name,
                "seed_line": quote.line,
                "seed_offset": start,
                "quote": text[start:end],
            }
        )
    if problems:
        raise InputError(problems, summary="quote markers no longer match the seeds")
    return pd.DataFrame(rows)


def build_demo_corpus(seeds_dir: Path | str | None = None) -> Corpus:
    """The demo corpus, built from the seed documents (not from the committed file)."""
    rows = demo_quote_rows(seeds_dir)
    for column in ("municipality_code", "round"):
        rows[column] = rows[column].astype("Int64")
    sources = []
    segments = []
    for source_id, group in rows.groupby("source_id", sort=False):
        quotes = list(group["quote"])
        attrs = {k: v for k, v in SOURCES[source_id].items()}
        sources.append({"source_id": source_id, **attrs, "text": "\n\n".join(quotes)})
        start = 0
        for row, quote in zip(group.itertuples(index=False), quotes, strict=True):
            segments.append(
                {
                    "segment_id": row.quote_id,
                    "source_id": source_id,
                    "start": start,
                    "end": start + len(quote),
                    "period": row.quote_period,
                    "seed_file": row.seed_file,
                    "seed_line": row.seed_line,
                    "seed_offset": row.seed_offset,
                }
            )
            start += len(quote) + 2
    return make_corpus(pd.DataFrame(sources), pd.DataFrame(segments))


def write_demo_corpus(
    output: Path | str | None = None, seeds_dir: Path | str | None = None
) -> Path:
    """Build the demo corpus from the seeds and write it as a quote table (CSV)."""
    target = Path(output) if output is not None else get_paths().interviews / "quotes.csv"
    return write_quote_table(build_demo_corpus(seeds_dir), target)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.qual.demo_corpus", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--seeds", type=Path, default=None, help="seed folder (default ../shared/seeds)"
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="default data/raw/interviews/quotes.csv"
    )
    args = parser.parse_args(argv)
    path = write_demo_corpus(args.output, args.seeds)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
