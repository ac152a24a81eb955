#!/usr/bin/env python3
"""Compare vigia's main-text extraction with trafilatura's on the same pages.

Usage:
  body_vs_trafilatura.py --vigia PATH/TO/vigia --scorer PATH/TO/score_body.py [--repeat N] SET [SET ...]

Each SET is a benchmark folder holding
  html/<id>.html.gz     one gzip-compressed HTML page per id
  ground-truth.json     {"<id>": {"articleBody": "...", "url": "..."}, ...}
(the layout of the public article-extraction-benchmark).

For each set it prints one line per tool with main-text F1, precision and recall and
the throughput in MB of HTML per CPU second, then the throughput ratio vigia/trafilatura.

- vigia: score_body.py --batch runs `vigia extract` once over every page of the set
  (one process, JSON Lines out) and reports F1/P/R and the process's CPU time.
- trafilatura (tested with 2.3.1, lxml 6.1.3): trafilatura.extract(html) in this
  process with its default settings (output_format="txt", include_comments=True,
  include_tables=True, fallback extractors on, favor_precision/favor_recall off, no url).
  The pages are decompressed and decoded (trafilatura.utils.decode_file) beforehand;
  the CPU time is time.process_time() around the extract() calls only; MB = bytes of HTML.
  Its outputs are then replayed through the same score_body.py, so both tools are scored
  by the one metric definition.

Each tool is timed --repeat times (default 3) and the median CPU time is reported.
This script is a manual benchmark; nothing in the build or the tests uses it.
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_scorer(scorer, folder, command):
    """Run score_body.py --batch on `folder` with `command`; return its JSON result."""
    out = subprocess.run(
        [sys.executable, scorer, folder, "--batch", "--json", "--", *command],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def load_pages(folder):
    """The set's pages as {id: HTML bytes}, in the scorer's (sorted id) order."""
    with open(os.path.join(folder, "ground-truth.json"), encoding="utf-8") as f:
        ids = sorted(json.load(f))
    pages = {}
    for pid in ids:
        with gzip.open(os.path.join(folder, "html", pid + ".html.gz")) as f:
            pages[pid] = f.read()
    return pages


def trafilatura_run(texts):
    """Extract every page once; return (bodies, CPU seconds of the extract() calls)."""
    import trafilatura

    bodies = {}
    cpu = 0.0
    for pid, text in texts.items():
        start = time.process_time()
        bodies[pid] = trafilatura.extract(text)
        cpu += time.process_time() - start
    return bodies, cpu


def compare(folder, vigia, scorer, repeat):
    name = os.path.basename(os.path.normpath(folder))
    pages = load_pages(folder)
    mb = sum(len(h) for h in pages.values()) / 1e6

    vigia_runs = [run_scorer(scorer, folder, [vigia, "extract"]) for _ in range(repeat)]
    v = vigia_runs[0]
    v_cpu = statistics.median(r["cpu_s"] for r in vigia_runs)

    from trafilatura.utils import decode_file

    texts = {pid: decode_file(html) for pid, html in pages.items()}
    runs = [trafilatura_run(texts) for _ in range(repeat)]
    bodies = runs[0][0]
    t_cpu = statistics.median(cpu for _, cpu in runs)
    # Score trafilatura's outputs with the same scorer: it calls this script back in
    # --replay mode, which prints the stored bodies in the order of the paths it gets.
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as f:
        json.dump(bodies, f)
    try:
        t = run_scorer(scorer, folder, [sys.executable, os.path.abspath(__file__), "--replay", f.name])
    finally:
        os.unlink(f.name)

    v_rate, t_rate = mb / v_cpu, mb / t_cpu
    for tool, r, cpu, rate in (("vigia", v, v_cpu, v_rate), ("trafilatura", t, t_cpu, t_rate)):
        print(f"{name} ({len(pages)} pages, {mb:.1f} MB)  {tool:<11}  F1 {r['f1']:.3f}  "
              f"P {r['precision']:.3f}  R {r['recall']:.3f}  errors {r['errors']}  "
              f"CPU {cpu:.2f} s  {rate:.2f} MB/CPU-s")
    print(f"{name}  throughput ratio vigia/trafilatura: {v_rate / t_rate:.1f}x")


def replay(bodies_file, paths):
    """Print the stored body of each page path (<tmp>/<id>.html) as one JSON line."""
    with open(bodies_file, encoding="utf-8") as f:
        bodies = json.load(f)
    for path in paths:
        pid = os.path.basename(path)[: -len(".html")]
        print(json.dumps({"body": bodies.get(pid)}))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--replay":
        replay(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="+", metavar="SET", help="benchmark folder (layout above)")
    parser.add_argument("--vigia", required=True, help="vigia binary (a release build)")
    parser.add_argument("--scorer", required=True, help="score_body.py")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool (median)")
    args = parser.parse_args()
    for folder in args.sets:
        compare(folder, os.path.abspath(args.vigia), args.scorer, max(1, args.repeat))


if __name__ == "__main__":
    main()
