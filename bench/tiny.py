"""The tiny-network case: the notes' flower net (2-4-1 tanh, 400 points, full
batch, f64 and f32, one thread) per iteration, for one or more builds of
`bench_workloads` run alternately (old, new, old, …), so that a load that comes
and goes hits all alike. Prints, per binary and precision, the median of the
loop's wall time (`loop_seconds`) and of the process's CPU time, both per
iteration; on a busy machine the CPU time is the steadier figure.

Usage: python3 bench/tiny.py [--reps 7] [--iters 50000] BIN [BIN …]
  e.g. python3 bench/tiny.py /tmp/old/bench_workloads target/release/examples/bench_workloads
"""

import argparse
import json
import os
import statistics


def one_run(binary, args):
    """(loop seconds, CPU seconds, final cost) of one run of `binary args`."""
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rd)
        os.dup2(wr, 1)
        os.execv(binary, [binary] + args)
    os.close(wr)
    with os.fdopen(rd) as out:
        text = out.read()
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        raise SystemExit(f"{binary} {' '.join(args)} failed (status {status})")
    line = json.loads(text.strip().splitlines()[-1])
    return line["loop_seconds"], usage.ru_utime + usage.ru_stime, line["final_cost"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bins", nargs="+")
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--iters", type=int, default=50000)
    a = p.parse_args()
    for precision in ("f64", "f32"):
        args = ["flower", "--threads", "1", "--iters", str(a.iters), "--precision", precision]
        runs = {b: [] for b in a.bins}
        for _ in range(a.reps):
            for b in a.bins:
                runs[b].append(one_run(b, args))
        for b in a.bins:
            loop = statistics.median(r[0] for r in runs[b]) / a.iters * 1e6
            cpu = statistics.median(r[1] for r in runs[b]) / a.iters * 1e6
            cost = runs[b][-1][2]
            print(f"flower {precision}: {loop:6.2f} µs/iter wall, {cpu:6.2f} µs/iter CPU "
                  f"(median of {a.reps}), final cost {cost!r}  {b}")


if __name__ == "__main__":
    main()
