"""Mapping throughput and memory: 1,000,000 show records per format, streamed.

    .venv/bin/python bench/mapping.py                 # 1,000,000 records per format
    .venv/bin/python bench/mapping.py --records 50000 # quick run
    .venv/bin/python bench/mapping.py --formats csv --keep /tmp/bench

For each format (restline JSON Lines of 100-item pages, one soapbox SOAP envelope, a reelfeed
Latin-1 schedule CSV) it generates realistic sessions into a temp dir, then measures in fresh
child processes (so peak RSS is per run):
- parse-only: json.loads per line / lxml iterparse (clearing each record) / csv.reader;
- map: the shipped mapping's streaming path to validated canonical Show objects;
and prints records/s, ratio (map rate / parse rate), the same ratio from CPU seconds (steadier
on a shared machine), and peak RSS at a small and a full size to show that memory stays flat as
the input grows. The map child imports our modules before its clock starts (as this file imports
json and csv before parse-only starts); loading and compiling the mapping is timed.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILMS = [f"HO{n:08d}" for n in range(700, 760)]
FORMATS = ["2D", "2D", "2D", "3D", "IMAX"]
LANGS = ["ta", "te", "hi", "en", "ml"]
SLOTS = [
    (10, 0),
    (10, 30),
    (13, 15),
    (14, 0),
    (16, 45),
    (17, 30),
    (19, 30),
    (20, 15),
    (22, 45),
    (23, 30),
]
CATEGORIES = [("0000000001", "Gold"), ("0000000002", "Silver"), ("0000000003", "Recliner")]
ZONES = {"IN": ("Asia/Kolkata", "INR", "+05:30"), "GB": ("Europe/London", "GBP", "+00:00")}


def sessions(n: int, seed: int = 7):
    """Plausible sessions: 250 cinemas x 10 screens, 60 days, real slots and price cards."""
    rng = random.Random(seed)
    start_day = datetime(2026, 11, 1)
    for i in range(n):
        cinema = 1000 + (i % 250)
        country = "GB" if cinema % 10 == 0 else "IN"
        screen = 1 + (i // 250) % 10
        day = start_day + timedelta(days=(i // 25000) % 60)
        hour, minute = SLOTS[(i // 2500) % len(SLOTS)]
        start = day.replace(hour=hour, minute=minute)
        runtime = rng.choice([95, 112, 128, 148, 165])
        prices = []
        for code, name in (("0001", "Adult"), ("0002", "Child")):
            for cat, _ in CATEGORIES[: 1 + (screen % 3)]:
                base = {"0000000001": 25000, "0000000002": 18000, "0000000003": 42000}[cat]
                prices.append((code, name, cat, base if code == "0001" else base - 5000))
        yield {
            "session": str(10000 + i // 250),
            "cinema": str(cinema),
            "country": country,
            "film": rng.choice(FILMS),
            "screen": screen,
            "start": start,
            "end": start + timedelta(minutes=runtime + 15),
            "runtime": runtime,
            "lang": rng.choice(LANGS),
            "format": rng.choice(FORMATS),
            "prices": prices,
        }


def write_json(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        page: list = []
        pages = (n + 99) // 100
        for s in sessions(n):
            offset = ZONES[s["country"]][2]
            page.append(
                {
                    "SessionId": s["session"],
                    "CinemaId": f"C{s['cinema']}",
                    "FilmCode": s["film"],
                    "ScreenNumber": s["screen"],
                    "Showtime": s["start"].strftime("%Y-%m-%dT%H:%M:%S") + offset,
                    "EndTime": s["end"].strftime("%Y-%m-%dT%H:%M:%S") + offset,
                    "Language": s["lang"],
                    "Format": s["format"],
                    "SalesChannels": ";WWW;POS;KIOSK;",
                    "Prices": [
                        {
                            "TicketTypeCode": c,
                            "Description": d,
                            "AreaCategoryCode": a,
                            "PriceInCents": p,
                        }
                        for c, d, a, p in s["prices"]
                    ],
                }
            )
            if len(page) == 100:
                fh.write(
                    json.dumps(
                        {
                            "Result": 0,
                            "Page": 1,
                            "PageSize": 100,
                            "TotalPages": pages,
                            "Items": page,
                        }
                    )
                    + "\n"
                )
                page = []
        if page:
            fh.write(
                json.dumps(
                    {"Result": 0, "Page": 1, "PageSize": 100, "TotalPages": pages, "Items": page}
                )
                + "\n"
            )


def write_xml(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0" encoding="utf-8"?>\n<soap:Envelope xmlns:soap='
            '"http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetSessionsResponse '
            'xmlns="urn:soapbox:ticketing:2"><Result>OK</Result><Sessions>\n'
        )
        for s in sessions(n):
            tickets = "".join(
                f"<TicketType><TicketTypeCode>{c}</TicketTypeCode><Description>{d}</Description>"
                f"<AreaCategoryCode>{a}</AreaCategoryCode><Price>{p / 100:.2f}</Price>"
                "</TicketType>"
                for c, d, a, p in s["prices"]
            )
            fh.write(
                f"<Session><SessionId>{s['session']}</SessionId><CinemaId>{s['cinema']}</CinemaId>"
                f"<FilmCode>{s['film']}</FilmCode><ScreenNumber>{s['screen']}</ScreenNumber>"
                f"<Showtime>{s['start']:%Y-%m-%dT%H:%M:%S}</Showtime>"
                f"<EndTime>{s['end']:%Y-%m-%dT%H:%M:%S}</EndTime><Language>{s['lang']}</Language>"
                f"<Format>{s['format']}</Format><SalesChannels>;WWW;POS;</SalesChannels>"
                f"<TicketTypes>{tickets}</TicketTypes></Session>\n"
            )
        fh.write("</Sessions></GetSessionsResponse></soap:Body></soap:Envelope>\n")


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="latin-1", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
        writer.writerow(
            [
                "ShowID",
                "SiteCode",
                "FilmCode",
                "Aud",
                "Start",
                "Minutes",
                "Lang",
                "Format",
                "Prices",
            ]
        )
        for s in sessions(n):
            stamp = f"{s['start']:%Y%m%d%H%M}"
            prices = ",".join(f"{c}:{a[-3:]}:{p / 100:.2f}" for c, _, a, p in s["prices"])
            writer.writerow(
                [
                    f"{s['film']}|{stamp}|{s['screen']}",
                    f"S{s['cinema']}",
                    s["film"],
                    s["screen"],
                    stamp,
                    s["runtime"],
                    s["lang"],
                    s["format"],
                    prices,
                ]
            )


WRITERS = {"json": (write_json, "jsonl"), "xml": (write_xml, "xml"), "csv": (write_csv, "csv")}
MAPPINGS = {"json": "restline", "xml": "soapbox", "csv": "reelfeed"}


def context(fmt: str) -> dict:
    theatres = {}
    for cinema in range(1000, 1250):
        country = "GB" if cinema % 10 == 0 else "IN"
        zone, currency, _ = ZONES[country]
        key = {"json": f"C{cinema}", "xml": str(cinema), "csv": f"S{cinema}"}[fmt]
        theatres[key] = {"timezone": zone, "currency": currency}
    return {"connector_id": f"bench-{fmt}", "theatres": theatres}


# ------------------------------------------------------------------------------ child runs
def parse_only(fmt: str, path: Path) -> int:
    count = 0
    if fmt == "json":
        with path.open("rb") as fh:
            for line in fh:
                count += len(json.loads(line)["Items"])
    elif fmt == "xml":
        from lxml import etree

        tag = "{urn:soapbox:ticketing:2}Session"
        for _, elem in etree.iterparse(
            str(path), events=("end",), tag=tag, resolve_entities=False, no_network=True
        ):
            count += 1
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            while elem.getprevious() is not None:
                del parent[0]
    else:
        with path.open("r", encoding="latin-1", newline="") as fh:
            reader = csv.reader(fh, delimiter=";")
            next(reader)
            for _ in reader:
                count += 1
    return count


def map_stream(fmt: str, path: Path) -> tuple[int, int]:
    from adapters.mapping import DeadLetter, load_mapping

    mapping = load_mapping(ROOT / "mappings" / MAPPINGS[fmt] / "mapping.yaml")
    ok = dead = 0
    first_dead = None
    with path.open("rb") as fh:
        for item in mapping.stream("show", fh, context(fmt)):
            if isinstance(item, DeadLetter):
                dead += 1
                first_dead = first_dead or item
            else:
                ok += 1
    if first_dead is not None:
        print(f"first dead letter: {first_dead.field_path}: {first_dead.reason}", file=sys.stderr)
    return ok, dead


def child(mode: str, fmt: str, path: str) -> None:
    if mode == "map":
        # Python's import of our modules (pydantic models, ...) is process start-up, as the
        # json/csv imports at the top of this file are for parse-only; loading and compiling
        # the mapping stays inside the timed run.
        import adapters.mapping  # noqa: F401
    started = time.perf_counter()
    cpu_started = time.process_time()
    if mode == "parse":
        count, dead = parse_only(fmt, Path(path)), 0
    else:
        count, dead = map_stream(fmt, Path(path))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"count": count, "dead": dead, "seconds": elapsed, "cpu": cpu, "peak_kib": peak_kib}
        )
    )


def run_child(mode: str, fmt: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, fmt, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    if out.stderr.strip():
        print(out.stderr.strip(), file=sys.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--small",
        type=int,
        default=None,
        help="size of the memory comparison run (default records/10)",
    )
    parser.add_argument("--formats", default="json,xml,csv")
    parser.add_argument("--keep", type=Path, default=None, help="write files here and keep them")
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "FORMAT", "PATH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    small = args.small or max(1, args.records // 10)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="marquee-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"records per format: {args.records:,} (memory check also at {small:,}); files in {workdir}"
    )
    header = (
        f"{'format':<6} {'parse rec/s':>12} {'map rec/s':>11} {'ratio':>6} "
        f"{'cpu ratio':>9} {'dead':>5} {'peak RSS small':>15} {'peak RSS full':>14} "
        f"{'file MB':>8}"
    )
    rows = []
    for fmt in args.formats.split(","):
        writer, ext = WRITERS[fmt]
        full = workdir / f"shows_{args.records}.{ext}"
        part = workdir / f"shows_{small}.{ext}"
        t0 = time.perf_counter()
        writer(full, args.records)
        writer(part, small)
        gen = time.perf_counter() - t0
        parse = run_child("parse", fmt, full)
        mapped = run_child("map", fmt, full)
        mapped_small = run_child("map", fmt, part)
        parse_rate = parse["count"] / parse["seconds"]
        map_rate = (mapped["count"] + mapped["dead"]) / mapped["seconds"]
        cpu_ratio = (parse["cpu"] / parse["count"]) / (
            mapped["cpu"] / (mapped["count"] + mapped["dead"])
        )
        rows.append(
            f"{fmt:<6} {parse_rate:>12,.0f} {map_rate:>11,.0f} "
            f"{map_rate / parse_rate:>6.2f} {cpu_ratio:>9.2f} {mapped['dead']:>5} "
            f"{mapped_small['peak_kib'] / 1024:>12.1f} MB "
            f"{mapped['peak_kib'] / 1024:>11.1f} MB "
            f"{full.stat().st_size / 1e6:>8.1f}"
        )
        print(
            f"  {fmt}: generated in {gen:.1f}s, parsed {parse['count']:,} in "
            f"{parse['seconds']:.1f}s, mapped {mapped['count']:,} in {mapped['seconds']:.1f}s",
            flush=True,
        )
        if args.keep is None:
            full.unlink()
            part.unlink()
    print(header)
    for row in rows:
        print(row)
    print(
        "ratio = map rate / parse-only rate on the same file (target >= 0.3); cpu ratio = "
        "the same from CPU seconds (steadier when other work shares the machine); peak RSS "
        "is each child process's maximum resident set."
    )


if __name__ == "__main__":
    main()
