#!/usr/bin/env python3
"""Time of claim and story grouping over a large database.

Usage:
    python3 benches/claims_grouping.py [--articles 100000] [--statistics 1000000]
        [--new 1000] [--vigia target/release/vigia] [--workdir DIR] [--keep]

Fills a fresh database (created by vigia, so it has the current schema) with ARTICLES articles
from 20 outlets over three years and STATISTICS figures drawn from a limited set of keys, so
that most figures repeat others (as news repeats official figures), then times:

1. `vigia reprocess` with no stored pages: it only regroups every claim and story (a whole
   sweep, every figure written once, every article fingerprinted);
2. after adding NEW figures to existing articles, `vigia run` over a source with nothing to
   fetch: it regroups only the claim keys the new figures touched.

Prints wall seconds of each and the resulting numbers of claims and stories.
"""

import argparse
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

WORDS = (
    "police army prison inmates cocaine seizure homicide rate gang extortion border port ministry "
    "court judge prosecutor minister report census province city district region night week "
    "year officials arrested seized killed found said according security government national"
).split()
UNITS = ["count", "kg", "per_100k", "percent", "USD"]
TOPICS = ["homicide", "drug_seizure", "prisons", "extortion", "kidnapping", None]
PLACES = ["MX", "CO", "PE", "HN", "GT", "EC", "BR", "CL", None]


def fill(db, articles, statistics, rng):
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    rows = []
    for i in range(1, articles + 1):
        day = 19000 + rng.randrange(3 * 365)  # days since 1970
        published = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        body = " ".join(rng.choice(WORDS) for _ in range(80))
        rows.append((i, f"https://o{i % 20}.example/a/{i}", f"https://o{i % 20}.example/a/{i}", f"outlet{i % 20}", body,
                     f"h{i}", published, "bench", published + "T00:00:00Z", published + "T00:00:00Z"))
    conn.executemany(
        "INSERT INTO articles (id, canonical_url, url, source, body, content_hash, published, extractor_version,"
        " fetched_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    add_statistics(conn, statistics, articles, rng)
    conn.commit()
    conn.close()


def add_statistics(conn, n, articles, rng):
    rows = []
    for _ in range(n):
        value = float(rng.choice([rng.randrange(1, 200), rng.randrange(1, 100000)]))
        rows.append((rng.randrange(1, articles + 1), value, rng.choice(UNITS), rng.choice(TOPICS),
                     rng.choice(PLACES), rng.choice([None, 2021, 2022, 2023, 2024]), "sentence", 0, 1))
    conn.executemany(
        'INSERT INTO statistics (article_id, value, unit, topic, location, year, sentence, "start", "end")'
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def timed(cmd, check=True):
    start = time.monotonic()
    subprocess.run(cmd, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def count(db, sql):
    conn = sqlite3.connect(db)
    n = conn.execute(sql).fetchone()[0]
    conn.close()
    return n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--statistics", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--vigia", default="target/release/vigia")
    parser.add_argument("--workdir")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    vigia = str(Path(args.vigia).resolve())
    work = Path(args.workdir or tempfile.mkdtemp(prefix="vigia-claims-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "claims.db"
    (work / "empty").mkdir(exist_ok=True)
    config = work / "bench.toml"
    config.write_text(f'database = "{db}"\n\n[[sources]]\nname = "empty"\nkind = "files"\nurl = "{work / "empty"}"\n')
    rng = random.Random(8)
    try:
        # Creates the file with the current schema.
        subprocess.run([vigia, "reprocess", "-q", "--db", str(db)], check=True)
        start = time.monotonic()
        fill(db, args.articles, args.statistics, rng)
        print(f"filled {args.articles} articles, {args.statistics} statistics in {time.monotonic() - start:.1f} s")
        full = timed([vigia, "reprocess", "-q", "--db", str(db)])
        claims = count(db, "SELECT count(DISTINCT claim_id) FROM statistics")
        stories = count(db, "SELECT count(DISTINCT story_id) FROM articles")
        print(f"whole regrouping (reprocess): {full:.1f} s, {claims} claims, {stories} stories")
        conn = sqlite3.connect(db)
        add_statistics(conn, args.new, args.articles, rng)
        conn.commit()
        conn.close()
        # The empty source counts as failing (exit status 1); the pass still ends with the regrouping.
        touched = timed([vigia, "run", "--all", "-q", "--config", str(config)], check=False)
        ungrouped = count(db, "SELECT count(*) FROM statistics WHERE claim_id IS NULL")
        print(f"regrouping after {args.new} new figures (run): {touched:.1f} s, {ungrouped} figures left ungrouped")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
