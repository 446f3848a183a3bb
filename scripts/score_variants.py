#!/usr/bin/env python3
"""Rewrites a copy of the reference class (cases/) for the score experiments of docs/MODEL.md
§13, leaving cases/ untouched:

  scripts/score_variants.py standing cases cases-standing
      every mediator's pressure, side payments and guarantees act in every round (`standing`);
  scripts/score_variants.py calendar cases cases-calendar
      `model.time: calendar`, each side's cost of war per month = its cost per round divided by
      the mean central months between the scenario's rounds (at least 0.05); patience read as
      monthly; no `war_start`.

The copy sits beside cases/, so relative evidence paths resolve; then `sim score <copy>/`."""
import glob, json, os, shutil, sys


def central(p):
    if isinstance(p, (int, float)):
        return float(p)
    if "value" in p:
        return float(p["value"])
    if p["dist"] == "uniform":
        return (p["low"] + p["high"]) / 2
    if p["dist"] == "triangular":
        return (p["low"] + p["mode"] + p["high"]) / 3
    return float(p["mean"])


def scaled(p, k):
    if isinstance(p, (int, float)):
        return p * k
    q = dict(p)
    for f in ("value", "low", "high", "mode", "mean", "sd"):
        if f in q:
            q[f] = q[f] * k
    return q


def main(mode, src, dst):
    if os.path.exists(dst):
        sys.exit(f"{dst} exists; remove it first")
    shutil.copytree(src, dst)
    for f in sorted(glob.glob(os.path.join(dst, "*", "scenario-*.json"))):
        s = json.load(open(f))
        if mode == "standing":
            for m in s.get("mediators", []):
                m["standing"] = ["pressure", "side_payments", "guarantees"]
        elif mode == "calendar":
            gaps = [central(r["months_before"]) for r in s["rounds"]]
            k = 1.0 / max(sum(gaps) / len(gaps), 0.05)
            s["model"]["time"] = "calendar"
            for p in s["parties"]:
                p["cost_of_war"] = scaled(p["cost_of_war"], k)
        else:
            sys.exit(f"unknown mode {mode}")
        json.dump(s, open(f, "w"), indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
