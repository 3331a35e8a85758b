"""Prints bench/peers.py's results: one table per thread count (median seconds
per epoch or iteration, and backprop's time over each peer's), the final costs
with every peer more than the tolerance away from numpy's flagged, and each
peer's kernel library."""
import os
import platform
import statistics

NAMES = {"w6": "W6 784-256-128-1 SGD, f32 (per epoch)", "w6adam": "W6 softmax-10 + Adam, f32 (per epoch)",
         "skadam64": "scikit-learn's Adam workload, f64 (per epoch)",
         "skadam32": "scikit-learn's Adam workload, f32 (per epoch)",
         "w3_64": "W3 cat net 12288-20-7-5-1, f64 (per iteration)",
         "w3_32": "W3 cat net 12288-20-7-5-1, f32 (per iteration)"}


def _cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _fmt(s):
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def report(results, meta, tol):
    ok = [r for r in results if "error" not in r]
    peers = list(dict.fromkeys(r["peer"] for r in ok))
    works = list(dict.fromkeys(r["workload"] for r in ok))
    print(f"machine: {_cpu()}, {os.cpu_count()} cores; load {' '.join(meta['load'][0])} -> "
          f"{' '.join(meta['load'][1])}; {meta['seconds']:.0f} s; medians of {meta['reps']} alternating runs"
          + (f"; --quick (W6 on {meta['m']} rows, fewer epochs/iterations)" if meta.get("quick") else ""))
    for th in sorted({r["threads"] for r in ok}):
        print(f"\n{th} thread{'s' if th > 1 else ''}: median time per unit; in brackets backprop ÷ peer "
              "(backprop's faster door: bp-cli where it runs the workload, else the Python fit), "
              "below 1 = backprop faster\n")
        print("| workload | " + " | ".join(peers) + " |")
        print("|---|" + "---:|" * len(peers))
        for wk in works:
            med = {p: statistics.median([r["seconds"] / r["units"] for r in ok
                                         if r["workload"] == wk and r["peer"] == p and r["threads"] == th] or [float("nan")])
                   for p in peers}
            b = min(med.get("backprop", float("nan")), med.get("bp-cli", float("nan")), key=lambda x: (x != x, x))
            cells = [("–" if med[p] != med[p] else _fmt(med[p]) + ("" if p in ("backprop", "bp-cli") else f" ({b / med[p]:.2g})"))
                     for p in peers]
            print(f"| {NAMES.get(wk, wk)} | " + " | ".join(cells) + " |")
    _costs(ok, peers, works, tol)
    print("\nkernel libraries:")
    for p in peers:
        print(f"- {p}: {next(r['lib'] for r in ok if r['peer'] == p)}")
    for r in results:
        if "error" in r:
            print(f"ERROR {r.get('peer')} {r.get('workload', '')} {r.get('threads')} thread(s): {r['error']}")


def _costs(ok, peers, works, tol):
    """The final cost of each peer (its last run at 1 thread), flagged beyond tol of numpy's."""
    print(f"\nfinal costs (W3: the last iteration's forward pass, as the course prints it; the others: "
          f"the cost at the final weights over the whole set); ! = more than {tol:g} relative from numpy's\n")
    print("| workload | " + " | ".join(peers) + " |")
    print("|---|" + "---:|" * len(peers))
    for wk in works:
        last = {p: [r["cost"] for r in ok if r["workload"] == wk and r["peer"] == p] for p in peers}
        ref = (last.get("numpy") or [None])[-1]
        cells = []
        for p in peers:
            if not last[p]:
                cells.append("–")
                continue
            c = last[p][-1]
            flag = " !" if ref is not None and abs(c - ref) > tol * abs(ref) else ""
            cells.append(f"{c:.6f}{flag}")
        print(f"| {wk} | " + " | ".join(cells) + " |")
