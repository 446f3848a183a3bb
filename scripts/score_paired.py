#!/usr/bin/env python3
"""Paired difference of two `sim score -f json` reports on the same questions (B - A), with a 95%
interval from resampling whole cases (2,000 resamples, seed 1), as MODEL.md §13 reports it.

Usage: scripts/score_paired.py A.json B.json
"""
import json
import random
import sys


def scored(path):
    report = json.load(open(path))
    return {(q["case"], q["question"]): q for q in report["questions"] if q.get("brier") is not None}


def main():
    a, b = scored(sys.argv[1]), scored(sys.argv[2])
    keys = sorted(set(a) & set(b))
    cases = sorted({case for case, _ in keys})
    by_case = {c: [k for k in keys if k[0] == c] for c in cases}

    def mean_difference(sample, score):
        chosen = [k for c in sample for k in by_case[c]]
        return sum(b[k][score] - a[k][score] for k in chosen) / len(chosen)

    rng = random.Random(1)
    for score in ("brier", "log"):
        d = mean_difference(cases, score)
        boot = sorted(mean_difference([rng.choice(cases) for _ in cases], score) for _ in range(2000))
        print(f"{score}: {len(keys)} questions, {len(cases)} cases, B - A = {d:+.4f} "
              f"[{boot[50]:+.4f}, {boot[1949]:+.4f}]")


if __name__ == "__main__":
    main()
