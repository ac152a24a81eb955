#!/usr/bin/env python3
"""Speed at scale: the commands a researcher waits for, over a large database.

Usage:
    python3 benches/scale.py [--articles 100000] [--statistics 1000000] [--entities 500000]
        [--runs 3] [--regroup-runs 1] [--word police] [--vigia target/release/vigia]
        [--workdir DIR] [--keep]

Fills a fresh database (created by vigia, so it has the current schema) with ARTICLES articles
from 20 outlets over six years, half English and half Spanish, each a body of 200 to 600 words
drawn from a news vocabulary (common words common, rare ones rare) and indexed for full-text
search as `vigia run` stores them (listed by the schema's triggers, indexed all at once before
the fill commits); STATISTICS figures spread like
news (many homicide and seizure counts, few prison or kidnapping rates; Mexico and Colombia
far more often than Chile; values repeated across outlets, so that claims group), and ENTITIES
people, organisations and places. Then it runs the real binary, each command RUNS times, and
prints its median wall time and peak RSS (of the child process alone, read by GNU time):

1. `vigia sql "SELECT 1"`: start-up and the schema check alone, part of every command below;
2. `vigia reprocess` with no stored pages: claim and story grouping of every figure;
3. `vigia trend statistics --topic homicide --location MX --by year`;
4. `vigia search WORD` for a common word (`police` is in every English body, half of them);
5. `vigia export statistics --format parquet --out F`, every row (also articles and entities).

The commands run on a warm page cache (the file was just written or read), as on a machine
that works with its database every day. Everything is written under the work directory: a new
temporary one, removed at the end unless --keep; or --workdir DIR, which is kept, and whose
database, if one is there already, is used again without filling (its figures are then grouped
already, so the regrouping writes nothing and takes less time than the first).
"""

import argparse
import random
import shutil
import sqlite3
import statistics as stats
import subprocess
import tempfile
import time
from pathlib import Path

OUTLETS = 20
FIRST_DAY = 18628  # 2021-01-01, in days since 1970
DAYS = 6 * 365

# Body words per language, most frequent first; a word's weight falls with its rank (Zipf), so
# the first ones are in nearly every article and the last ones in few.
WORDS = {
    "en": (
        "the of and to in a said police that was for on by with security government officials "
        "were from at as had crime violence country prison drug gang authorities murders "
        "according president national minister army cartel homicides killed year arrested "
        "cocaine trafficking members report city border state organized groups operation "
        "attorney general judge court prosecutors inmates extortion kidnapping region forces "
        "military seized tons week investigation department public ministry defense interior "
        "corruption money laundering shipment port customs navy soldiers patrol officers "
        "attack victims families community leaders mayor province district capital rural "
        "criminal network boss leader faction arrest warrant extradition charges trial "
        "sentence years prisoners penitentiary overcrowding riot guards transfer cells "
        "weapons rifles ammunition explosives vehicles boats aircraft laboratory precursor "
        "chemicals coca cultivation hectares eradication farmers crops mining illegal gold "
        "river jungle highway checkpoint smuggling migrants routes corridor coast pacific "
        "caribbean statistics data figures rate percent increase decrease compared previous "
        "record highest lowest monthly annual survey perception victimization citizens"
    ).split(),
    "es": (
        "de la que el en y a los del se las por un para con una policía según gobierno "
        "seguridad autoridades país fue como más sus al año cárcel violencia delito droga "
        "pandilla presidente ministro nacional ejército cártel homicidios asesinados "
        "detenidos cocaína narcotráfico miembros informe ciudad frontera estado crimen "
        "organizado grupos operativo fiscal general juez tribunal fiscalía reos extorsión "
        "secuestro región fuerzas militares incautadas toneladas semana investigación "
        "departamento pública ministerio defensa interior corrupción lavado activos "
        "cargamento puerto aduanas marina soldados patrullaje agentes ataque víctimas "
        "familias comunidad líderes alcalde provincia distrito capital rural red criminal "
        "cabecilla líder facción captura orden extradición cargos juicio condena años presos "
        "penal hacinamiento motín guardias traslado celdas armas fusiles municiones "
        "explosivos vehículos lanchas aeronaves laboratorio insumos químicos cultivos coca "
        "hectáreas erradicación campesinos minería ilegal oro río selva carretera control "
        "contrabando migrantes rutas corredor costa pacífico caribe estadísticas datos cifras "
        "tasa por ciento aumento disminución comparación anterior récord mensual anual "
        "encuesta percepción victimización ciudadanos"
    ).split(),
}
TITLE_WORDS = {
    "en": "Police Army Prison Cartel Cocaine Homicides Extortion Gang Border Seizure Judge Minister".split(),
    "es": "Policía Ejército Cárcel Cártel Cocaína Homicidios Extorsión Pandilla Frontera Incautación Juez Ministro".split(),
}

# How figures spread, as (choice, weight).
TOPICS = [("homicide", 22), ("drug_seizure", 16), ("arrests", 12), ("prisons", 8), ("extortion", 7),
          ("security_forces", 6), ("drug_trafficking", 5), ("kidnapping", 3), ("robbery", 3),
          ("coca_cultivation", 2), ("public_spending", 2), ("corruption", 2), (None, 12)]
PLACES = [("MX", 30), ("CO", 15), ("BR", 8), ("HN", 6), ("GT", 6), ("SV", 5), ("EC", 6), ("PE", 6),
          ("VE", 4), ("CL", 2), ("AR", 2), ("US", 3), (None, 7)]
UNITS_BY_TOPIC = {"homicide": ["count", "count", "count", "per_100k", "percent"],
                  "drug_seizure": ["kg", "kg", "count", "USD"], "coca_cultivation": ["hectare", "percent"],
                  "public_spending": ["USD", "MXN", "COP"], "prisons": ["count", "percent"]}
QUALIFIERS = [(None, 70), ("approx", 10), ("more_than", 10), ("at_least", 5), ("less_than", 3), ("at_most", 2)]
CHANGES = [(None, 80), ("increase", 10), ("decrease", 10)]
PEOPLE = ["Ana Ruiz", "Carlos Mendoza", "Luis Herrera", "María Torres", "John Miller", "Rosa Quispe",
          "Jorge Salazar", "Elena Castro", "Pedro Navarro", "Laura Gómez"]
ORGS = ["Policía Nacional", "UNODC", "Fiscalía General", "DEA", "Ministerio del Interior", "INPEC",
        "Ejército", "Armada", "Sedena", "InSight Crime"]
CITIES = [("Culiacán", "MX"), ("Medellín", "CO"), ("Lima", "PE"), ("Guayaquil", "EC"), ("Tegucigalpa", "HN"),
          ("Rosario", "AR"), ("São Paulo", "BR"), ("Ciudad de Guatemala", "GT"), ("San Salvador", "SV")]


def weighted(pairs):
    """A function drawing from (choice, weight) pairs."""
    choices = [c for c, _ in pairs]
    cum, total = [], 0
    for _, w in pairs:
        total += w
        cum.append(total)
    return lambda rng: rng.choices(choices, cum_weights=cum)[0]


def zipf_cum(n):
    cum, total = [], 0.0
    for rank in range(1, n + 1):
        total += 1.0 / rank
        cum.append(total)
    return cum


def day_text(day):
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86400))


def fill(db, args, rng):
    """Writes the articles, figures and entities; returns the number of bodies holding `args.word`."""
    conn = sqlite3.connect(db)
    # One pass without a journal (the file is new and thrown away on failure); WAL again after,
    # as vigia keeps it.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    cums = {lang: zipf_cum(len(words)) for lang, words in WORDS.items()}
    now = "2026-11-29T00:00:00Z"
    conn.executemany(
        "INSERT INTO sources (name, kind, url, created_at, updated_at) VALUES (?, 'rss', ?, ?, ?)",
        [(f"outlet{o}", f"https://o{o}.example/feed", now, now) for o in range(OUTLETS)],
    )
    articles, holding, days, langs = [], 0, [], []
    for i in range(1, args.articles + 1):
        lang = "en" if i % 2 else "es"
        day = FIRST_DAY + rng.randrange(DAYS)
        words = rng.choices(WORDS[lang], cum_weights=cums[lang], k=rng.randrange(200, 600))
        # Sentences of about 20 words, and paragraphs of 4 sentences.
        sentences = [" ".join(words[k:k + 20]).capitalize() + "." for k in range(0, len(words), 20)]
        body = "\n\n".join(" ".join(sentences[k:k + 4]) for k in range(0, len(sentences), 4))
        holding += args.word in words
        title = " ".join([rng.choice(TITLE_WORDS[lang])] + rng.choices(WORDS[lang][20:], k=7))
        url = f"https://o{i % OUTLETS}.example/{day_text(day)}/{i}"
        published = f"{day_text(day)}T{rng.randrange(24):02d}:00:00Z"
        articles.append((i, url, url, f"outlet{i % OUTLETS}", title, published, lang, body, f"h{i}",
                         round(rng.random(), 3), '["homicide"]', "bench", published, published))
        days.append(day)
        langs.append(lang)
    conn.executemany(
        "INSERT INTO articles (id, canonical_url, url, source, title, published, language, body, content_hash,"
        " relevance, topics, extractor_version, fetched_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        articles,
    )
    conn.executemany("INSERT INTO article_urls (url, article_id) VALUES (?, ?)", [(a[1], a[0]) for a in articles])
    del articles
    conn.executemany(
        'INSERT INTO statistics (article_id, value, low, high, unit, qualifier, counted, topic, metric, year,'
        ' location, attributed_to, sentence, "start", "end", change, location_from)'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        figures(args.statistics, days, langs, rng),
    )
    conn.executemany(
        'INSERT INTO entities (article_id, type, name, role, country, "start", "end") VALUES (?, ?, ?, ?, ?, ?, ?)',
        entities(args.entities, len(days), rng),
    )
    # New articles wait for the full-text index until their transaction commits; vigia indexes
    # them all at once just before, as done here.
    conn.execute("INSERT INTO articles_fts (rowid, title, body)"
                 " SELECT a.id, a.title, a.body FROM articles_fts_pending p JOIN articles a ON a.id = p.id")
    conn.execute("DELETE FROM articles_fts_pending")
    conn.commit()
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return holding


def figures(n, days, langs, rng):
    topic_of, place_of = weighted(TOPICS), weighted(PLACES)
    qualifier_of, change_of = weighted(QUALIFIERS), weighted(CHANGES)
    # Stored as the pipeline stores them: an article's figures together, after the article.
    for article in sorted(rng.randrange(len(days)) for _ in range(n)):
        topic, place = topic_of(rng), place_of(rng)
        unit = rng.choice(UNITS_BY_TOPIC.get(topic, ["count"]))
        # Round numbers and small counts repeat across outlets; a few are ranges.
        value = float(rng.choice([rng.randrange(1, 60), rng.randrange(1, 500) * 10, rng.randrange(1, 20000)]))
        low = high = None
        if rng.random() < 0.05:
            low, high, value = value, value * 2, None
        year = rng.choice([None, None, 1970 + days[article] // 365, 1969 + days[article] // 365])
        start = rng.randrange(0, 1500)
        if langs[article] == "en":
            sentence = f"Authorities reported {value or low} cases in the region in {year or 'the last year'}, officials said."
        else:
            sentence = f"Las autoridades reportaron {value or low} casos en la región durante {year or 'el último año'}, según la fiscalía."
        yield (article + 1, value, low, high, unit, qualifier_of(rng), "cases" if unit == "count" else None, topic,
               "reported cases", year, place, rng.choice([None, "UNODC", "Fiscalía", "police"]), sentence, start,
               start + 4, change_of(rng), None if place is None else rng.choice(["sentence", "article"]))


def entities(n, articles, rng):
    for article in sorted(rng.randrange(articles) for _ in range(n)):
        start = rng.randrange(0, 1500)
        kind = rng.choice(["person", "organization", "location"])
        if kind == "person":
            row = (kind, rng.choice(PEOPLE), rng.choice([None, "ministro del Interior", "fiscal general"]), None)
        elif kind == "organization":
            row = (kind, rng.choice(ORGS), None, None)
        else:
            city, country = rng.choice(CITIES)
            row = (kind, city, None, country)
        yield (article + 1, *row, start, start + 8)


def run(cmd, work):
    """Runs `cmd` once under GNU time; returns (wall seconds, peak RSS in MB).

    GNU time reads the peak RSS of its child alone: a child of this (large) Python process
    would report Python's own peak, which a process keeps across exec.
    """
    report = work / "time.txt"
    start = time.monotonic()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(report), *cmd],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - start
    # Exit status 1 is a command that worked but found a source failing (an empty database).
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    peak_kb = int(report.read_text().split()[-1])
    report.unlink()
    return wall, peak_kb / 1024


def measure(label, cmd, runs, work):
    results = [run(cmd, work) for _ in range(runs)]
    walls = [w for w, _ in results]
    rss = max(r for _, r in results)
    print(f"| {label} | {stats.median(walls) * 1000:,.0f} ms | {min(walls) * 1000:,.0f}–{max(walls) * 1000:,.0f} ms"
          f" | {rss:,.0f} MB |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--statistics", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (the median is shown)")
    parser.add_argument("--regroup-runs", type=int, default=1, help="runs of the whole regrouping")
    parser.add_argument("--word", default="police", help="the word searched for")
    parser.add_argument("--vigia", default="target/release/vigia")
    parser.add_argument("--workdir", help="work in this directory and keep it (its database is used again)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory and its database")
    args = parser.parse_args()
    if args.runs < 1 or args.regroup_runs < 1:
        parser.error("--runs and --regroup-runs must be at least 1")
    vigia = str(Path(args.vigia).resolve())
    keep = args.keep or args.workdir is not None
    work = Path(args.workdir or tempfile.mkdtemp(prefix="vigia-scale-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    db = work / "scale.db"
    rng = random.Random(9)
    try:
        if not db.exists():
            # Creates the file with the current schema.
            subprocess.run([vigia, "reprocess", "-q", "--db", str(db)], check=True)
            start = time.monotonic()
            holding = fill(db, args, rng)
            print(f"filled {args.articles:,} articles, {args.statistics:,} statistics, {args.entities:,} entities"
                  f" in {time.monotonic() - start:.0f} s ({db.stat().st_size / 1e6:,.0f} MB); "
                  f"{holding:,} bodies hold `{args.word}`", flush=True)
        else:
            print(f"reusing {db} ({db.stat().st_size / 1e6:,.0f} MB)", flush=True)
        base = [vigia, "-q", "--db", str(db)]
        print("| command | median wall | range | peak RSS |\n|---|---|---|---|")
        measure("start-up and schema check (`sql \"SELECT 1\"`)", base + ["sql", "SELECT 1"], args.runs, work)
        measure("claim and story grouping, every figure (`reprocess`)", base + ["reprocess"], args.regroup_runs, work)
        measure("`trend statistics --topic homicide --location MX --by year`",
                base + ["trend", "statistics", "--topic", "homicide", "--location", "MX", "--by", "year"], args.runs, work)
        measure(f"`search {args.word}`", base + ["search", args.word], args.runs, work)
        for table in ["statistics", "entities", "articles"]:
            out = work / f"{table}.parquet"
            measure(f"`export {table} --format parquet` (every row)",
                    base + ["export", table, "--format", "parquet", "--out", str(out)], args.runs, work)
            out.unlink(missing_ok=True)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
