#!/usr/bin/env python3
"""Generates N valid, distinct Form 5106 rows as CSV for `ace-refunds importer import`.

    python3 bench/import/gen_importers.py 1000000 > /tmp/importers.csv

Deterministic for a given N and --seed. Numbers are distinct EIN+suffix numbers.
"""
import argparse
import random
import sys

SUFFIX = "0123456789ABCDEFGHJKLMNPQRSTUVWXY"
TYPES = ["corporation", "partnership", "llc", "sole_proprietorship", "state_local_government"]
USES = ["importer_of_record", "consignee", "drawback_claimant", "refunds_bills", "other"]
STATES = ["MD", "NY", "CA", "TX", "GA", "WA", "IL", "NJ", "FL", "DE"]
WORDS = ["Harbor", "Summit", "Pacific", "Atlantic", "Keystone", "Liberty", "Granite", "Cedar", "Orion", "Delta",
         "Union", "Prairie", "Coastal", "Northern", "Golden", "Silver", "Eagle", "Pioneer", "Beacon", "Vista"]
KINDS = ["Imports", "Trading", "Supply", "Goods", "Apparel", "Machinery", "Foods", "Outdoor", "Lighting", "Textiles"]

HEADER = ("importer_number,name,dba,company_type,number_uses,physical_line1,physical_city,physical_state,"
          "physical_postal_code,phone,email\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = sys.stdout
    out.write(HEADER)
    buf = []
    for i in range(a.n):
        # Distinct EIN+suffix numbers: the body comes from i, the suffix varies.
        number = f"{10 + (i // 10_000_000) % 90:02d}-{i % 10_000_000:07d}{SUFFIX[i % 33]}{SUFFIX[(i // 33) % 33]}"
        name = f"{WORDS[rnd.randrange(20)]} {KINDS[rnd.randrange(10)]} {i} Inc"
        uses = ";".join(sorted(set(rnd.sample(USES, rnd.randrange(1, 3)))))
        state = STATES[rnd.randrange(10)]
        line = (f"{number},{name},,{TYPES[rnd.randrange(5)]},{uses},{100 + i % 9000} Commerce St,Springfield,"
                f"{state},{10000 + rnd.randrange(89999):05d},(202) 555-{i % 10000:04d},ap{i}@importer{i % 997}.example\n")
        buf.append(line)
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


if __name__ == "__main__":
    main()
