#!/usr/bin/env python3
"""Reads vigia's CSV and Parquet exports with tools that share no code with vigia (Python's csv
module, pyarrow) and compares every cell with the database, read with Python's sqlite3.

Usage: check_exports.py DATABASE DIR
DIR holds TABLE.csv and TABLE.parquet for articles, statistics and entities, exported with
every version. Prints one line per file; exits 1 at the first difference, naming it.
"""

import csv
import datetime
import math
import sqlite3
import sys

import pyarrow
import pyarrow.parquet as pq

# What each export holds, written here from the database's own tables.
QUERIES = {
    "articles": """
        SELECT a.canonical_url AS url, a.title, a.published, a.language, a.source, a.fetched_at,
               a.body, a.relevance, a.topics, a.version, a.superseded_at, a.story_id
        FROM articles a ORDER BY a.id""",
    "statistics": """
        SELECT a.canonical_url AS article_url, a.published, a.source, s.value, s.low, s.high,
               s.unit, s.qualifier, s.counted, s.topic, s.metric, s.year, s.location,
               s.attributed_to, s.sentence, s."start", s."end", s.change, s.location_from,
               a.version, a.superseded_at, s.claim_id, a.story_id
        FROM statistics s JOIN articles a ON a.id = s.article_id ORDER BY a.id, s."start", s.id""",
    "entities": """
        SELECT a.canonical_url AS article_url, a.published, a.source, e.type, e.name, e.role,
               e.country, e."start", e."end", a.version, a.superseded_at, a.story_id
        FROM entities e JOIN articles a ON a.id = e.article_id ORDER BY a.id, e."start", e.id""",
}

# Columns that hold a date or an instant, typed as timestamps in Parquet.
TIMES = {"published", "fetched_at", "superseded_at"}
# Columns Parquet holds as doubles, and as integers.
DOUBLES = {"value", "low", "high", "relevance"}
INTEGERS = {"year", "start", "end", "version", "claim_id", "story_id"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Difference(Exception):
    pass


def instant(text):
    """A stored date (its midnight, UTC) or RFC 3339 instant, as an aware datetime."""
    if len(text) == 10:
        return datetime.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def csv_expected(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.lstrip(" ").startswith(FORMULA_STARTS) else value
    return value


def same_number(a, b):
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def check_csv(table, names, rows, path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, strict=True)
        header = next(reader)
        if header != names:
            raise Difference(f"{path}: header {header} is not {names}")
        n = 0
        for n, (cells, row) in enumerate(zip(reader, rows, strict=True), start=1):
            for name, cell, value in zip(names, cells, row, strict=True):
                want = csv_expected(value)
                if isinstance(want, (int, float)):
                    ok = cell != "" and same_number(float(cell), float(want))
                else:
                    ok = cell == want
                if not ok:
                    raise Difference(f"{path}: row {n}, column {name}: {cell!r} where the database has {value!r}")
    return n


def check_parquet(table, names, rows, path):
    data = pq.read_table(path)
    if data.column_names != names:
        raise Difference(f"{path}: columns {data.column_names} are not {names}")
    for name in names:
        kind = data.schema.field(name).type
        if name in TIMES and not (pyarrow.types.is_timestamp(kind) and kind.tz == "UTC"):
            raise Difference(f"{path}: {name} is {kind}, not a UTC timestamp")
        if name in DOUBLES and not pyarrow.types.is_float64(kind):
            raise Difference(f"{path}: {name} is {kind}, not a double")
        if name in INTEGERS and not pyarrow.types.is_integer(kind):
            raise Difference(f"{path}: {name} is {kind}, not an integer")
    got = data.to_pylist()
    if len(got) != len(rows):
        raise Difference(f"{path}: {len(got)} rows where the database has {len(rows)}")
    for n, (record, row) in enumerate(zip(got, rows), start=1):
        for name, value in zip(names, row):
            cell = record[name]
            if value is None or cell is None:
                ok = value is None and cell is None
            elif name in TIMES:
                ok = cell == instant(value)
            elif isinstance(value, float) or name in DOUBLES:
                ok = same_number(float(cell), float(value))
            else:
                ok = cell == value
            if not ok:
                raise Difference(f"{path}: row {n}, column {name}: {cell!r} where the database has {value!r}")
    return len(got)


def main():
    database, folder = sys.argv[1], sys.argv[2]
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        for table, sql in QUERIES.items():
            cursor = conn.execute(sql)
            names = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if not rows:
                raise Difference(f"the database has no {table}: nothing would be compared")
            n_csv = check_csv(table, names, rows, f"{folder}/{table}.csv")
            n_parquet = check_parquet(table, names, rows, f"{folder}/{table}.parquet")
            print(f"{table}: {len(rows)} rows, csv {n_csv}, parquet {n_parquet}: equal")
    except Difference as e:
        print(f"difference: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
