#!/usr/bin/env python3
"""Throughput of `vigia run`: a local site of many article pages, the same pages from a WARC,
and one `vigia extract` process over them for comparison.

Usage:
    python3 benches/run_throughput.py PAGES_DIR [--count 5000] [--hosts 8]
        [--vigia target/release/vigia] [--workdir DIR] [--keep]

PAGES_DIR holds saved article pages (.html, .htm, optionally .gz). From them the script makes
COUNT distinct pages (each copy gets its own URL and one line of text of its own, so no two
share a content hash), then:

1. serves them on 127.0.0.1 from HOSTS origins (one port each, a threaded http.server), each
   with a robots.txt and a sitemap of its pages, and runs `vigia run --all` over one sitemap
   source per origin, with no pacing;
2. writes them as a `.warc.gz` (one gzip member per response record) and runs one `warc` source;
3. runs `vigia reprocess` over the database the WARC run made (its pages read back from the
   archive, every article extracted again and its figures replaced);
4. writes them as files and runs one `vigia extract` process over all of them.

Each run gets a fresh database (the reprocess works on the WARC run's). For each step it prints
wall seconds, CPU seconds (user + system of the vigia process), the cores it kept busy on
average (CPU seconds over wall seconds), pages per wall second, peak RSS, and the rate as a
ratio to `extract`.
The HTTP server runs inside this script; its CPU seconds are printed too, since on a small
machine it competes with vigia for the cores.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# The longest run of text outside script and style is article text on nearly every page: the
# copy's own line goes at its end, so it lands in the extracted body and changes the content hash.
TEXT_RUN = re.compile(rb">([^<]{80,})<")
NOT_TEXT = re.compile(rb"<(script|style|title|textarea|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# A saved page names its own address (rel=canonical, og:url); every copy would then be the
# same article to vigia. Renamed, they leave each copy at its own URL.
OWN_ADDRESS = re.compile(rb"""((?:rel|property)\s*=\s*["']?)(canonical|og:url)""", re.IGNORECASE)


def load_pages(folder):
    pages = []
    for path in sorted(Path(folder).iterdir()):
        name = path.name.lower()
        if name.endswith((".html", ".htm")):
            pages.append(path.read_bytes())
        elif name.endswith((".html.gz", ".htm.gz")):
            pages.append(gzip.decompress(path.read_bytes()))
    if not pages:
        sys.exit(f"no .html/.htm pages in {folder}")
    return pages


def body_paragraphs(vigia, pages):
    """The body paragraphs `vigia extract` finds in each page, longest first."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, html in enumerate(pages):
            paths.append(os.path.join(folder, f"{n:05d}.html"))
            Path(paths[-1]).write_bytes(html)
        out = subprocess.run([vigia, "extract", "-q", *paths], capture_output=True, check=True).stdout
    records = [json.loads(line) for line in out.splitlines()]
    return [sorted((p for p in (r.get("body") or "").split("\n") if p.strip()), key=len, reverse=True) for r in records]


class Variants:
    """The COUNT distinct pages, made on demand from the saved ones (nothing held twice).

    Each copy gets a line of its own at the start of a paragraph that `vigia extract` keeps in
    the body, so no two copies share a content hash (else they would be stored as duplicates).
    """

    def __init__(self, pages, count, vigia):
        self.count = count
        self.sources = []
        pages = [OWN_ADDRESS.sub(rb"\1x-\2", html) for html in pages]
        for html, paragraphs in zip(pages, body_paragraphs(vigia, pages)):
            # Found where it starts an element's text, not in a script, a comment or an attribute.
            masked = NOT_TEXT.sub(lambda m: b" " * len(m.group(0)), html)
            cut = -1
            for paragraph in paragraphs:
                at = [m.start() for m in re.finditer(re.escape(paragraph[:40].encode()), masked)]
                cut = next((a for a in at if masked[:a].rstrip().endswith(b">")), -1)
                if cut >= 0:
                    break
            if cut < 0:
                # No paragraph found as written (entities in its markup): the longest text run.
                runs = list(TEXT_RUN.finditer(masked))
                cut = max(runs, key=lambda m: len(m.group(1).strip())).start(1) if runs else max(html.lower().rfind(b"</body>"), 0)
            self.sources.append((html[:cut], b"Edition %d. ", html[cut:]))

    def page(self, i):
        head, line, tail = self.sources[i % len(self.sources)]
        return head + line % i + tail

    def path(self, i):
        return f"/news/{2026 - i % 5}/{i:05d}-report.html"


def serve(variants, hosts):
    """Starts one threaded server per origin; page i belongs to origin i % hosts."""
    servers = []
    for h in range(hosts):

        class Handler(BaseHTTPRequestHandler):
            origin = h
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without this, Nagle's algorithm holds
            # the body's last segment until the client acknowledges (web servers set
            # TCP_NODELAY too).
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def answer(self, status, ctype, body):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                base = f"http://127.0.0.1:{self.server.server_port}"
                if self.path == "/robots.txt":
                    return self.answer(200, "text/plain", b"User-agent: *\nAllow: /\n")
                if self.path == "/sitemap.xml":
                    locs = "".join(
                        f"<url><loc>{base}{variants.path(i)}</loc></url>\n" for i in range(self.origin, variants.count, hosts)
                    )
                    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}</urlset>\n'
                    return self.answer(200, "application/xml", xml.encode())
                match = re.fullmatch(r"/news/\d{4}/(\d{5})-report\.html", self.path)
                if match and int(match.group(1)) < variants.count and int(match.group(1)) % hosts == self.origin:
                    return self.answer(200, "text/html; charset=utf-8", variants.page(int(match.group(1))))
                self.answer(404, "text/plain", b"not found\n")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers


def config(folder, sources):
    text = f"""database = "bench.db"

[fetch]
user_agent = "vigia-bench/0.1 (+http://127.0.0.1/)"
per_host_delay_ms = 0
timeout_s = 60
respect_robots = true

[discover]
max_entries = 1_000_000
max_candidates_per_pass = 1_000_000

{sources}"""
    path = folder / "bench.toml"
    path.write_text(text)
    return path


def timed(argv, **kwargs):
    """Runs argv; returns wall s, CPU s (user + system) and peak RSS (MB) of that process alone.

    GNU time measures it when present: a child forked from this script starts out charged with
    the script's own memory (the saved pages), which would hide vigia's peak below it.
    """
    gnu_time = "/usr/bin/time"
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.monotonic()
        if os.access(gnu_time, os.X_OK):
            code = subprocess.run([gnu_time, "-f", "%U %S %M", "-o", report.name, *argv], **kwargs).returncode
            wall = time.monotonic() - start
            user, system, rss_kb = report.read().split()[-3:]
            cpu, rss = float(user) + float(system), int(rss_kb) / 1024
        else:
            proc = subprocess.Popen(argv, **kwargs)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - start
            code = os.waitstatus_to_exitcode(status)
            cpu, rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024
    if code not in (0, 1):
        sys.exit(f"{argv[0]} exited with status {code}")
    return wall, cpu, rss


def run_vigia(vigia, cfg):
    """Times one `vigia run --all` and prints its summary line."""
    log = cfg.parent / "run.log"
    with open(log, "wb") as out:
        measured = timed([vigia, "run", "--all", "--config", str(cfg)], stdout=out, stderr=subprocess.STDOUT)
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("vigia run:")]
    print(lines[-1] if lines else f"(no summary line; see {log})")
    return measured


def articles(vigia, cfg):
    out = subprocess.run(
        [vigia, "sql", "--config", str(cfg), "--format", "csv", "SELECT count(*) FROM articles"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.split()[-1])


def write_warc(variants, path):
    with open(path, "wb") as out:
        for i in range(variants.count):
            body = variants.page(i)
            http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body) + body
            head = (
                "WARC/1.1\r\nWARC-Type: response\r\n"
                f"WARC-Target-URI: https://archive{i % 8}.example{variants.path(i)}\r\n"
                "WARC-Date: 2026-01-15T10:00:00Z\r\n"
                f"WARC-Record-ID: <urn:uuid:{uuid.UUID(int=i)}>\r\n"
                "Content-Type: application/http; msgtype=response\r\n"
                f"Content-Length: {len(http)}\r\n\r\n"
            ).encode()
            out.write(gzip.compress(head + http + b"\r\n\r\n", compresslevel=6))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", help="folder of saved .html/.htm pages")
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--vigia", default="target/release/vigia")
    parser.add_argument("--workdir", help="where databases, the WARC and the page files go (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    vigia = os.path.abspath(args.vigia)

    variants = Variants(load_pages(args.pages), args.count, vigia)
    mb = sum(len(variants.page(i)) for i in range(args.count)) / 1e6
    work = Path(args.workdir or tempfile.mkdtemp(prefix="vigia-tput-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{args.count} pages ({mb:.0f} MB of HTML) from {len(variants.sources)} saved ones; work folder {work}")
    results = {}

    # 1. The local site.
    servers = serve(variants, args.hosts)
    site = work / "site"
    site.mkdir(exist_ok=True)
    sources = "".join(
        f'[[sources]]\nname = "host{h}"\nkind = "sitemap"\nurl = "http://127.0.0.1:{s.server_port}/sitemap.xml"\nlanguage = "auto"\n\n'
        for h, s in enumerate(servers)
    )
    cfg = config(site, sources)
    served_cpu = time.process_time()
    results["site"] = run_vigia(vigia, cfg) + (articles(vigia, cfg),)
    served_cpu = time.process_time() - served_cpu
    for server in servers:
        server.shutdown()

    # 2. The same pages from a WARC.
    warc = work / "warc"
    (warc / "archives").mkdir(parents=True, exist_ok=True)
    write_warc(variants, warc / "archives" / "pages.warc.gz")
    cfg = config(warc, '[[sources]]\nname = "archive"\nkind = "warc"\nurl = "archives"\nlanguage = "auto"\n')
    results["warc"] = run_vigia(vigia, cfg) + (articles(vigia, cfg),)

    # 3. `vigia reprocess` over what the WARC run stored.
    log = warc / "reprocess.log"
    with open(log, "wb") as out:
        measured = timed([vigia, "reprocess", "--config", str(cfg)], stdout=out, stderr=subprocess.STDOUT)
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.startswith("vigia reprocess:")]
    print(lines[-1] if lines else f"(no summary line; see {log})")
    results["reprocess"] = measured + (articles(vigia, cfg),)

    # 4. One `vigia extract` process over the same pages as files.
    files = work / "files"
    files.mkdir(exist_ok=True)
    paths = []
    for i in range(args.count):
        path = files / f"{i:05d}.html"
        path.write_bytes(variants.page(i))
        paths.append(str(path))
    with open(os.devnull, "wb") as sink:
        results["extract"] = timed([vigia, "extract", "-q", *paths], stdout=sink) + (None,)

    base = args.count / results["extract"][0]
    print(f"{'input':<28} {'wall s':>7} {'CPU s':>7} {'cores':>6} {'pages/s':>8} {'peak RSS MB':>12} {'articles':>9} {'× extract':>10}")
    labels = {
        "site": f"vigia run, site ({args.hosts} hosts)",
        "warc": "vigia run, WARC",
        "reprocess": "vigia reprocess (the WARC's)",
        "extract": "vigia extract (1 process)",
    }
    for key, (wall, cpu, rss, stored) in results.items():
        rate = args.count / wall
        stored = "-" if stored is None else str(stored)
        print(f"{labels[key]:<28} {wall:7.1f} {cpu:7.1f} {cpu / wall:6.2f} {rate:8.0f} {rss:12.0f} {stored:>9} {rate / base:9.2f}x")
    print(f"HTTP server CPU s during the site run: {served_cpu:.1f}")
    if not args.keep and not args.workdir:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
