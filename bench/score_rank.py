"""Score and rank a synthetic round in memory through the scoring engine (no database).

    DEBUG=1 .venv/bin/python bench/score_rank.py [--candidates 100000] [--items 100] [--seed 2569]

Synthesises candidates × items (numpy random): 80 % single-choice (4 choices), 10 % multiple
response (5 choices, the three partial-credit rules), 10 % numeric (with tolerance), in two
sections; then times score_matrices → evaluate_pass → rank_candidates (total, section 2, section 1,
application number) and prints the times and the peak memory traced (numpy buffers included).
Goal: under 5 s for 100,000 × 100 on a 2-core machine.
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exam_platform.settings")
os.environ.setdefault("DEBUG", "1")


def synthesise(n_candidates: int, n_items: int, seed: int):
    from exam_platform.scoring.engine import NO_NUMBER, NUMERIC_SCALE, ItemKey, RoundMatrices

    rng = np.random.default_rng(seed)
    n_multiple = n_items // 10
    n_numeric = n_items // 10
    n_single = n_items - n_multiple - n_numeric
    items = []
    rules = ("all_or_nothing", "per_choice", "proportional")
    for j in range(n_items):
        if j < n_single:
            choices = tuple(f"c{j}-{k}" for k in range(4))
            items.append(
                ItemKey(
                    uid=f"i{j}",
                    version=j,
                    type="single",
                    points=100,
                    choices=choices,
                    key_mask=1 << int(rng.integers(4)),
                )
            )
        elif j < n_single + n_multiple:
            choices = tuple(f"c{j}-{k}" for k in range(5))
            items.append(
                ItemKey(
                    uid=f"i{j}",
                    version=j,
                    type="multiple",
                    points=200,
                    choices=choices,
                    key_mask=int(rng.integers(1, 32)),
                    partial_credit=rules[j % 3],
                )
            )
        else:
            items.append(
                ItemKey(
                    uid=f"i{j}",
                    version=j,
                    type="numeric",
                    points=100,
                    value=int(rng.integers(0, 1000)) * NUMERIC_SCALE // 10,
                    tolerance=NUMERIC_SCALE // 20,
                )
            )
    m = RoundMatrices.empty(items, n_candidates)
    m.section[:, : n_items // 2] = 1
    m.section[:, n_items // 2 :] = 2
    ability = rng.random(n_candidates)[:, None]
    single = np.array([i.key_mask for i in items[:n_single]], dtype=np.uint8)[None, :]
    right = rng.random((n_candidates, n_single)) < ability
    wrong_pick = (1 << rng.integers(0, 4, size=(n_candidates, n_single))).astype(np.uint8)
    m.picked[:, :n_single] = np.where(right, single, wrong_pick)
    m.picked[:, n_single : n_single + n_multiple] = rng.integers(0, 32, size=(n_candidates, n_multiple))
    values = np.array([i.value for i in items[n_single + n_multiple :]], dtype=np.int64)[None, :]
    noise = rng.integers(-NUMERIC_SCALE // 10, NUMERIC_SCALE // 10, size=(n_candidates, n_numeric))
    m.numbers[:, n_single + n_multiple :] = np.where(
        rng.random((n_candidates, n_numeric)) < 0.05, NO_NUMBER, values + noise
    )
    applications = [f"APP-{i:06d}" for i in rng.permutation(n_candidates)]
    return m, applications


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()

    import django

    django.setup()
    from django.utils import translation

    from exam_platform.scoring.engine import score_matrices
    from exam_platform.scoring.pass_rules import PassRules, evaluate_pass
    from exam_platform.scoring.ranking import natural_ordinals, rank_candidates

    t0 = time.perf_counter()
    m, applications = synthesise(args.candidates, args.items, args.seed)
    t_synth = time.perf_counter() - t0

    rules = PassRules(section_minimums=({"section": 2, "percent": "50"},))
    titles = {1: "ความสามารถทั่วไป", 2: "ภาษาอังกฤษ"}
    translation.activate("th")

    def run():
        started = time.perf_counter()
        scores = score_matrices(m)
        scored = time.perf_counter()
        outcome = evaluate_pass(scores, rules, titles)
        passed = time.perf_counter()
        ordinals = natural_ordinals(applications)
        keys = [scores.total, scores.section_column(2), scores.section_column(1), ordinals]
        ranking = rank_candidates(keys, [True, True, True, False], eligible=outcome.passed)
        ranked = time.perf_counter()
        return ranking, (started, scored, passed, ranked)

    ranking, (t1, t2, t3, t4) = run()
    tracemalloc.start()  # a second, traced run for the peak memory (tracing slows numpy down)
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    ranked = int((ranking.rank > 0).sum())
    ties = int((ranking.decided_by == -1).sum())
    print(f"candidates × items     {args.candidates:,} × {args.items}")
    print(f"synthesis (not timed)  {t_synth:.2f} s")
    print(f"score                  {t2 - t1:.2f} s")
    print(f"pass rules             {t3 - t2:.2f} s")
    print(f"rank                   {t4 - t3:.2f} s  ({ranked:,} passed and ranked, {ties:,} in shared ranks)")
    print(f"total score+pass+rank  {t4 - t1:.2f} s  (goal < 5 s)")
    print(f"peak traced memory     {peak / 2**20:.0f} MiB")
    print(f"max RSS                {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0 if t4 - t1 < 5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
