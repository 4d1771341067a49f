"""Reads the lines scripts/benchmark.sh --against-pytorch collected and prints one table per allocator.

Each input line is `allocator preset K round side steps_per_second cpu_ms_per_step quiet_steps_per_second`, side
being `ours` or `pytorch`. Each ratio is ours ÷ PyTorch, taken within a round (the two ran one after the other), then
the median over rounds: in steps/s; in process CPU time per step; and in quiet steps/s, the rate over the fastest tenth
of the schedule's cycles. Other work on a shared machine moves the last two much less than the first.
"""

import collections
import statistics
import sys


def main(path):
    runs = collections.defaultdict(dict)
    for line in open(path):
        fields = line.split()
        if len(fields) != 8:
            continue
        allocator, preset, k, round_, side, rate, cpu_ms, quiet = fields
        runs[(allocator, preset, int(k))].setdefault(int(round_), {})[side] = (float(rate), float(cpu_ms), float(quiet))

    for allocator in sorted({key[0] for key in runs}, key=lambda a: a == "glibc"):
        rounds = max(len(v) for key, v in runs.items() if key[0] == allocator)
        print(f"\n{allocator} malloc on both sides; steps/s and ratio ours ÷ PyTorch, median of {rounds} round(s)")
        print(f"{'preset':<9} {'K':>3} {'ours':>8} {'pytorch':>8} {'ratio':>7} {'range':>11} {'cpu ratio':>10} "
              f"{'quiet ratio':>12}")
        for (a, preset, k), by_round in sorted(runs.items(), key=lambda item: (item[0][1] != "paper", item[0][1], item[0][2])):
            if a != allocator:
                continue
            pairs = [r for r in by_round.values() if "ours" in r and "pytorch" in r]
            if not pairs:
                continue
            ratios = [r["ours"][0] / r["pytorch"][0] for r in pairs]
            cpu_ratios = [r["pytorch"][1] / r["ours"][1] for r in pairs]
            quiet_ratios = [r["ours"][2] / r["pytorch"][2] for r in pairs]
            ours = statistics.median(r["ours"][0] for r in pairs)
            theirs = statistics.median(r["pytorch"][0] for r in pairs)
            spread = f"{min(ratios):.2f}–{max(ratios):.2f}"
            print(f"{preset:<9} {k:>3} {ours:>8.1f} {theirs:>8.1f} {statistics.median(ratios):>7.2f} {spread:>11} "
                  f"{statistics.median(cpu_ratios):>10.2f} {statistics.median(quiet_ratios):>12.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
