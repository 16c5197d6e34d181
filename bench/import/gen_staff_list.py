#!/usr/bin/env python3
"""Writes a synthetic staff list in Muster's canonical import columns.

Usage: gen_staff_list.py ROWS OUT.csv  (about four rows per household, fixed seed)
"""
import csv
import random
import sys

GIVEN = ["Mohammad", "Ahmad", "Abdul Rahman", "Nabi", "Wali", "Farid", "Fatima", "Mariam", "Zahra", "Laila"]
FAMILY = ["Ahmadzai", "Popalzai", "Karimi", "Hakimi", "Sultani", "Noori", "Wardak", "Stanikzai"]
PROVINCES = ["Kabul", "Heraat", "Hirat", "KBL", "Balkh", "Mazar-i-Sharif", "Kandahar", "Nangarhar"]


def main() -> None:
    rows, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(7)
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["household_ref", "relationship", "given_name", "family_name", "date_of_birth",
                    "sex", "nationality", "phone", "province", "employer"])
        written, h = 0, 0
        while written < rows:
            h += 1
            family = rng.choice(FAMILY)
            size = min(rng.randint(1, 7), rows - written)
            for i in range(size):
                rel = "principal" if i == 0 else ("spouse" if i == 1 else "child")
                dob = (f"SH:{rng.randint(1335, 1400)}" if rng.random() < 0.4
                       else f"{rng.randint(1960, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
                phone = f"07{rng.randint(0, 9)}{rng.randint(0, 9999999):07d}" if i == 0 else ""
                w.writerow([f"H-{h}", rel, rng.choice(GIVEN), family, dob, rng.choice("MF"), "AFG",
                            phone, rng.choice(PROVINCES), "Embassy" if i == 0 else ""])
                written += 1


if __name__ == "__main__":
    main()
