"""Write a synthetic KBO open data full dump in the official format (Cookbook R018.00 section 2).

Default sizes are those of a real full dump (2025): 1.93M enterprises, 3.29M names, 2.82M
addresses, 1.66M establishment units, 0.69M contacts, 21.5k codes, 7.3k branches. Activities
(36.6M rows, 1.6 GB in reality) only with --activities. --scale shrinks everything for quick runs.

    python bench/generate_kbo.py /tmp/kbo_full --scale 0.25
    python bench/generate_kbo.py /tmp/kbo_full --activities        # full size with activities
    python bench/generate_kbo.py /tmp/kbo_full.zip --scale 0.01     # a zip instead of a folder
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

FULL = {
    "enterprise": 1_926_246,
    "establishment": 1_659_123,
    "denomination": 3_285_395,
    "address": 2_819_632,
    "contact": 685_642,
    "activity": 36_597_491,
    "branch": 7_308,
    "nace": 20_876,
}
HEADERS = {
    "meta": '"Variable","Value"',
    "code": '"Category","Code","Language","Description"',
    "enterprise": '"EnterpriseNumber","Status","JuridicalSituation","TypeOfEnterprise","JuridicalForm","JuridicalFormCAC","StartDate"',
    "establishment": '"EstablishmentNumber","StartDate","EnterpriseNumber"',
    "denomination": '"EntityNumber","Language","TypeOfDenomination","Denomination"',
    "address": '"EntityNumber","TypeOfAddress","CountryNL","CountryFR","Zipcode","MunicipalityNL","MunicipalityFR","StreetNL","StreetFR","HouseNumber","Box","ExtraAddressInfo","DateStrikingOff"',
    "contact": '"EntityNumber","EntityContact","ContactType","Value"',
    "activity": '"EntityNumber","ActivityGroup","NaceVersion","NaceCode","Classification"',
    "branch": '"Id","StartDate","EnterpriseNumber"',
}
FORMS = ["014", "015", "017", "610", "612", "616", "706", "721", "030", "124"]
SITUATIONS = ["000"] * 20 + ["001", "012", "013"]
CITIES = [
    ("9000", "Gent", "Gand"),
    ("2000", "Antwerpen", "Anvers"),
    ("1000", "Brussel", "Bruxelles"),
    ("3000", "Leuven", "Louvain"),
    ("8000", "Brugge", "Bruges"),
    ("4000", "Luik", "Liège"),
    ("3500", "Hasselt", "Hasselt"),
    ("5000", "Namen", "Namur"),
    ("2800", "Mechelen", "Malines"),
    ("6000", "Charleroi", "Charleroi"),
    ("1500", "Halle", "Hal"),
    ("8500", "Kortrijk", "Courtrai"),
]
STREETS = [
    "Kerkstraat",
    "Stationsstraat",
    "Dorpstraat",
    "Molenstraat",
    "Nieuwstraat",
    "Schoolstraat",
    "Rue de la Station",
    "Grand-Rue",
    "Meir",
    "Veldstraat",
    "Markt",
    "Industrielaan",
]
WORDS = [
    "Bouw",
    "Consult",
    "Invest",
    "Services",
    "Technics",
    "Logistics",
    "Trading",
    "Immo",
    "Food",
    "Digital",
    "Solutions",
    "Group",
    "Partners",
    "Design",
    "Cyber",
    "Energy",
    "Care",
    "Transport",
]


def enterprise_number(i: int) -> str:
    base = 2_000_000 + i * 3  # 0200.000.0xx onwards, spread a little
    d = f"{base:08d}{97 - base % 97:02d}"
    return f"{d[:4]}.{d[4:7]}.{d[7:]}"


def establishment_number(i: int) -> str:
    base = 20_000_000 + i
    d = f"{base:08d}{97 - base % 97:02d}"
    return f"{d[0]}.{d[1:4]}.{d[4:7]}.{d[7:]}"


def rdate(rng: random.Random) -> str:
    return f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(1950, 2025)}"


class Out:
    def __init__(self, folder: Path, name: str):
        # Closed by close(): the writer outlives any one block.
        self.fh = open(  # noqa: SIM115
            folder / f"{name}.csv", "w", encoding="utf-8", newline="\n", buffering=1 << 20
        )
        self.fh.write(HEADERS[name] + "\n")
        self.rows = 0
        self.buf: list[str] = []

    def add(self, line: str) -> None:
        self.buf.append(line)
        if len(self.buf) >= 10_000:
            self.flush()

    def flush(self) -> None:
        self.rows += len(self.buf)
        self.fh.write("\n".join(self.buf) + "\n" if self.buf else "")
        self.buf = []

    def close(self) -> int:
        self.flush()
        self.fh.close()
        return self.rows


def generate(
    folder: Path, scale: float = 1.0, activities: bool = False, seed: int = 140
) -> dict[str, int]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n = {k: max(1, round(v * scale)) for k, v in FULL.items()}
    n_ent = n["enterprise"]
    counts = {}

    (folder / "meta.csv").write_text(
        HEADERS["meta"]
        + '\n"SnapshotDate","03-10-2025"\n"ExtractTimestamp","05-10-2025 07:07:49"\n'
        '"ExtractType","full"\n"ExtractNumber","140"\n"Version","1.0.0"\n',
        encoding="utf-8",
    )

    code = Out(folder, "code")
    for cat, values in [
        ("JuridicalForm", FORMS),
        ("JuridicalSituation", SITUATIONS[-4:]),
        ("TypeOfEnterprise", ["1", "2"]),
        ("TypeOfAddress", ["REGO", "BAET", "ABBR"]),
        ("TypeOfDenomination", ["001", "002", "003", "004"]),
        ("Classification", ["MAIN", "SECO", "ANCI"]),
    ]:
        for v in values:
            code.add(f'"{cat}","{v}","NL","{cat} {v} (nl)"')
            code.add(f'"{cat}","{v}","FR","{cat} {v} (fr)"')
    nace = [f"{10000 + i * 4:05d}" for i in range(max(1, n["nace"] // 4))]
    for c in nace:
        for version in ("2008", "2025"):
            code.add(f'"Nace{version}","{c}","NL","Activiteit {c}"')
            code.add(f'"Nace{version}","{c}","FR","Activité {c}"')
    counts["code"] = code.close()

    # ~40% natural persons (no published seat), the rest legal persons with a seat address.
    ent = Out(folder, "enterprise")
    legal = []
    for i in range(n_ent):
        number = enterprise_number(i)
        if rng.random() < 0.39:
            ent.add(f'"{number}","AC","000","1",,,{rdate(rng)}')
        else:
            legal.append(i)
            form = rng.choice(FORMS)
            ent.add(f'"{number}","AC","{rng.choice(SITUATIONS)}","2","{form}",,{rdate(rng)}')
    counts["enterprise"] = ent.close()

    est = Out(folder, "establishment")
    owners = []
    for j in range(n["establishment"]):
        owner = rng.randrange(n_ent)
        owners.append(owner)
        est.add(f'"{establishment_number(j)}",{rdate(rng)},"{enterprise_number(owner)}"')
    counts["establishment"] = est.close()

    # Names: one official name per enterprise plus, for some, names in other languages and
    # commercial names; rows grouped per enterprise in number order, as in the real files.
    den = Out(folder, "denomination")
    extra = max(0, n["denomination"] - n_ent)
    p_extra = extra / n_ent
    left = extra
    for i in range(n_ent):
        number = enterprise_number(i)
        den.add(f'"{number}","2","001","{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"')
        k = int(p_extra) + (1 if rng.random() < p_extra - int(p_extra) else 0)
        k = min(k, left) if i < n_ent - 1 else left
        for j in range(k):
            lang, kind = [
                ("1", "001"),
                ("2", "003"),
                ("1", "003"),
                ("3", "001"),
                ("4", "001"),
                ("2", "002"),
            ][j % 6]
            den.add(f'"{number}","{lang}","{kind}","{rng.choice(WORDS)} {i} ""{j}"""')
        left -= k
    counts["denomination"] = den.close()

    def address(entity: str, kind: str) -> str:
        zipc, nl, fr = rng.choice(CITIES)
        street = rng.choice(STREETS)
        box = str(rng.randint(1, 20)) if rng.random() < 0.1 else ""
        return f'"{entity}","{kind}",,,"{zipc}","{nl}","{fr}","{street}","{street}","{rng.randint(1, 250)}","{box}","",'

    adr = Out(folder, "address")
    seats = max(0, n["address"] - n["establishment"])
    # Seats of legal persons (natural persons have no published seat), in number order.
    seats = min(seats, len(legal))
    step = len(legal) / seats if seats else 1
    for k in range(seats):
        adr.add(address(enterprise_number(legal[int(k * step)]), "REGO"))
    for j in range(min(n["establishment"], n["address"])):
        adr.add(address(establishment_number(j), "BAET"))
    counts["address"] = adr.close()

    con = Out(folder, "contact")
    for k in range(n["contact"]):
        i = rng.randrange(n_ent)
        kind = rng.choice(["TEL", "EMAIL", "WEB"])
        value = {
            "TEL": f"0{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {k % 100:02d}",
            "EMAIL": f"info{k}@example.be",
            "WEB": f"www.example{k}.be",
        }[kind]
        con.add(f'"{enterprise_number(i)}","ENT","{kind}","{value}"')
    counts["contact"] = con.close()

    br = Out(folder, "branch")
    for k in range(n["branch"]):
        base = 90_000_000 + k
        d = f"{base:08d}{97 - base % 97:02d}"
        br.add(
            f'"{d[0]}.{d[1:4]}.{d[4:7]}.{d[7:]}",{rdate(rng)},"{enterprise_number(rng.randrange(n_ent))}"'
        )
    counts["branch"] = br.close()

    if activities:
        act = Out(folder, "activity")
        total = n["activity"]
        k = 0
        while k < total:
            i = rng.randrange(n_ent)
            c = rng.choice(nace)
            for group in ("001", "006"):
                if k < total:
                    act.add(f'"{enterprise_number(i)}","{group}","2008","{c}","MAIN"')
                    k += 1
            if k < total:
                act.add(f'"{enterprise_number(i)}","001","2025","{c}","MAIN"')
                k += 1
        counts["activity"] = act.close()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("target", help="a folder, or a path ending in .zip")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the real sizes (default 1.0)"
    )
    parser.add_argument(
        "--activities", action="store_true", help="also write activity.csv (36.6M rows at scale 1)"
    )
    parser.add_argument("--seed", type=int, default=140)
    args = parser.parse_args()
    target = Path(args.target)
    t0 = time.monotonic()
    if target.suffix == ".zip":
        with tempfile.TemporaryDirectory() as tmp:
            counts = generate(Path(tmp), args.scale, args.activities, args.seed)
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                for p in sorted(Path(tmp).iterdir()):
                    zf.write(p, p.name)
    else:
        if target.exists():
            shutil.rmtree(target)
        counts = generate(target, args.scale, args.activities, args.seed)
    for name, rows in counts.items():
        print(f"{name:<14} {rows:>12,} rows")
    print(f"written to {target} in {time.monotonic() - t0:.1f} s")


if __name__ == "__main__":
    main()
