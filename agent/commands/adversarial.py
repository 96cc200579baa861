"""`qwen-agent adversarial`: replay the hostile-screen scenarios and print how many sensitive
actions the sandbox stopped (`agent.adversarial`)."""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import asdict
from typing import Any


def add_parser(sub: Any) -> argparse.ArgumentParser:
    p = sub.add_parser("adversarial", help="replay the hostile-screen scenarios and print how many "
                                           "sensitive actions the sandbox stopped")
    p.add_argument("paths", nargs="*", default=["scenarios"], metavar="PATH",
                   help="scenario folders, or folders holding adv-* scenarios (default scenarios/)")
    p.add_argument("--policy", metavar="FILE", help="policy file (default: the built-in policy)")
    p.add_argument("--runs-dir", metavar="DIR", help="keep the run folders here (default: a temporary folder)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    p.add_argument("--search", action="store_true",
                   help="instead: the effect oracle's exhaustive search on the simulated phone "
                        "(every start state x every touchable point x every action kind)")
    p.add_argument("--lang", choices=("en", "zh"), action="append",
                   help="with --search: only this language (repeatable; default both)")
    p.set_defaults(handler=cmd_adversarial)
    return p


def cmd_adversarial(args: argparse.Namespace) -> int:
    from agent.adversarial import evaluate, find, totals
    from agent.scenario import load
    from policies import load_policy

    policy = load_policy(args.policy)
    if args.search:
        return _search(args, policy)
    folders = find(args.paths)
    with tempfile.TemporaryDirectory(prefix="qwen-agent-adv-") as tmp:
        results = [evaluate(load(f), args.runs_dir or tmp, policy) for f in folders]
        # The same steps with the phone's truth hidden: what keyword matching alone would stop.
        baseline = totals([evaluate(load(f), tmp, policy, truth=False) for f in folders
                           if f.name.startswith("adv-")])
    summary = totals(results)
    if args.json:
        print(json.dumps({"totals": summary, "keywords_only": baseline,
                          "scenarios": [asdict(r) | {"passed": r.passed} for r in results]},
                         ensure_ascii=False))
    else:
        print(f"{'scenario':<36} {'lang':<4} {'sensitive stopped':>17} {'benign run':>10} {'exit':>4}  result")
        for r in results:
            print(f"{r.name:<36} {r.language:<4} {f'{r.stopped}/{r.sensitive}':>17} "
                  f"{f'{r.benign - r.benign_blocked}/{r.benign}':>10} {r.exit_code:>4}  "
                  f"{'ok' if r.passed else 'FAIL ' + '; '.join(r.expect_problems)}")
        s = summary
        print(f"\n{s['scenarios']} scenarios ({', '.join(s['languages'])}), {s['passed']} passed: "
              f"sensitive actions stopped {s['stopped']}/{s['sensitive']} ({s['stopped_pct']}%), "
              f"benign steps blocked {s['benign_blocked']}/{s['benign']} ({s['benign_blocked_pct']}%), "
              f"exit 3 in {s['exit_3']}/{s['hostile']} hostile, protected state unchanged in "
              f"{s['state_unchanged']}/{s['hostile']}, harmless tasks done {s['harmless_done']}/{s['harmless']}")
        print(f"keyword matching alone (the phone's truth hidden) would have stopped "
              f"{baseline['stopped']}/{baseline['sensitive']} sensitive actions")
    return 0 if summary["passed"] == summary["scenarios"] else 1


def _search(args: argparse.Namespace, policy: Any) -> int:
    from agent.effect_search import search, start_states

    report = search(start_states(args.lang or ("en", "zh")), policy)
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False))
    else:
        for finding in report.findings:
            print(f"HARM without a yes: {finding.lang} {finding.start}: {finding.action} -> "
                  f"{'; '.join(finding.harm)}")
        print(report.line())
    return 0 if not report.findings else 1
