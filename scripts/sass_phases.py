#!/usr/bin/env python3
"""Groups the warp samples of ncu's SASS source page by phase.

    python3 scripts/sass_phases.py sass.csv

sass.csv is `ncu -i R.ncu-rep --page source --csv --print-source sass`
(scripts/gpu_v2_check.sh writes it). The kernel's SASS is cut at every
barrier and wgmma wait (BAR, DEPBAR, LDGDEPBAR, EXIT); for each piece with
more than 0.5 % of the samples it prints the share of samples, the SASS
instructions executed per warp and chunk (with --chunks-per-warp, else per
warp), the top stall reasons, and the instruction mix of the piece.
"""

import argparse
import collections
import csv


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--warps", type=int, default=0,
                    help="warps launched (divides the executed counts)")
    ap.add_argument("--mix", type=int, default=8,
                    help="opcodes to show per piece")
    args = ap.parse_args()
    rows = list(csv.reader(open(args.csv)))
    header, data = rows[1], rows[2:]
    col = {h: i for i, h in enumerate(header)}
    samples = col["Warp Stall Sampling (All Samples)"]
    executed = col["Instructions Executed"]
    stalls = [h for h in header
              if h.startswith("stall_") and "Not Issued" not in h]
    total = sum(int(r[samples] or 0) for r in data) or 1

    def opcode(source):
        words = source.split()
        if not words:
            return ""
        word = words[1] if words[0].startswith("@") and len(words) > 1 else words[0]
        return word.split(".")[0]

    start = 0
    for i, row in enumerate(data):
        op = opcode(row[col["Source"]])
        if op not in ("BAR", "DEPBAR", "LDGDEPBAR", "EXIT", "WARPGROUP") and i + 1 < len(data):
            continue
        if op == "WARPGROUP" and "DEPBAR" not in row[col["Source"]]:
            continue
        piece = data[start:i + 1]
        start = i + 1
        got = sum(int(r[samples] or 0) for r in piece)
        if got < 0.005 * total:
            continue
        ran = sum(int(r[executed] or 0) for r in piece)
        per = f"{ran / args.warps:8.0f}/warp" if args.warps else f"{ran:10d}"
        why = collections.Counter()
        mix = collections.Counter()
        for r in piece:
            for h in stalls:
                why[h[6:]] += int(r[col[h]] or 0)
            mix[opcode(r[col["Source"]])] += int(r[executed] or 0)
        top = " ".join(f"{k}={v}" for k, v in why.most_common(3))
        print(f"{i - len(piece) + 1:5d}-{i:5d} {100 * got / total:5.1f}% "
              f"{per}  {top}  ends {row[col['Source']].strip()[:40]}")
        ops = ", ".join(f"{k} {v}" for k, v in mix.most_common(args.mix))
        print(f"             mix: {ops}")
    print(f"total samples {total}")


if __name__ == "__main__":
    main()
