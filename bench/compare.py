"""Runs every workload with backprop and with the numpy reference, alternating,
several times, and prints one table of medians (see docs/PERFORMANCE.md).

usage: compare.py --bin BIN --reference DIR --cat-dir DIR [--reps 3] [--only W1,W3]
                  [--threads N] [--quick] [--json OUT]

numpy runs with OPENBLAS_NUM_THREADS=1 (numpy's best on this 2-core machine, per
the reference README) and with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed.
backprop runs with its defaults (all cores, path chosen by the library) and,
for W2/W3, also with --path layers: every product computed, the numpy flop
count, reported as GFLOP/s against the square-matmul peak measured in this run.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.stderr.write(f"command failed: {' '.join(cmd)}\n{p.stderr}\n")
        raise SystemExit(1)
    return json.loads(p.stdout.strip().splitlines()[-1])


def numpy_env():
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["CATVNONCAT_DIR"] = ARGS.cat_dir
    return env


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def workloads(a):
    """(id, precision, numpy command, backprop arguments, extra) for each row."""
    py = [a.python]
    ref = lambda s: os.path.join(a.reference, s)  # noqa: E731
    it = lambda full, quick: str(quick if a.quick else full)  # noqa: E731
    rows = []
    for dt, bp in (("float64", "f64"), ("float32", "f32")):
        rows.append(("W1", bp, py + [ref("w1_logreg.py"), "--dtype", dt, "--iters", it(2000, 200)],
                     ["cat", "--layers", "12288,1", "--init", "zeros", "--lr", "0.005",
                      "--iters", it(2000, 200), "--precision", bp], {}))
        rows.append(("W2", bp, py + [ref("w2_twolayer.py"), "--dtype", dt, "--iters", it(2500, 250)],
                     ["cat", "--layers", "12288,7,1", "--init", "small", "--lr", "0.0075",
                      "--iters", it(2500, 250), "--precision", bp], {"direct": True}))
        rows.append(("W3", bp, py + [ref("w3_llayer.py"), "--dtype", dt, "--iters", it(2500, 250)],
                     ["cat", "--layers", "12288,20,7,5,1", "--init", "xavier", "--lr", "0.0075",
                      "--iters", it(2500, 250), "--precision", bp], {"direct": True}))
    rows.append(("W3 (numpy without dA0)", "f64",
                 py + [ref("w3_llayer.py"), "--dtype", "float64", "--skip-dA0", "--iters", it(2500, 250)],
                 ["cat", "--layers", "12288,20,7,5,1", "--init", "xavier", "--lr", "0.0075",
                  "--iters", it(2500, 250), "--precision", "f64"], {"direct": True}))
    for dt, bp in (("float64", "f64"), ("float32", "f32")):
        rows.append(("W4", bp, py + [ref("w4_planar.py"), "--quick", "--dtype", dt],
                     ["flower", "--precision", bp], {}))
    rows.append(("W5 toy", "f64", py + [ref("w5_scalar.py")], ["scalar-toy"], {"w5": "toy"}))
    rows.append(("W5 100000×100", "f64",
                 py + [os.path.join(HERE, "w5_large.py"), "--iters", it(100, 20)],
                 ["scalar-large", "--iters", it(100, 20)], {"w5": "large"}))
    w6_m = "6000" if a.quick else "60000"
    rows.append(("W6", "f32", py + [ref("w6_scale.py"), "--impl", "numpy", "--m", w6_m],
                 ["w6", "--data", w6_data(a, w6_m)], {"w6": True}))
    return rows


def w6_data(a, m):
    """Writes (once) w6_scale.py's X, Y and initial weights for seed 0 to an .npz,
    so that backprop trains on the very numbers numpy and JAX do."""
    path = os.path.abspath(os.path.join("target", "bench", f"w6_seed0_m{m}.npz"))
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        code = (
            "import sys, numpy as np; sys.path.insert(0, sys.argv[1]); "
            "from w6_scale import make_data, init_params; "
            "X, Y = make_data(0, int(sys.argv[2])); P = init_params(0); "
            "np.savez(sys.argv[3] + '.tmp.npz', X=X, Y=Y, "
            "**{f'{n}{l}': P[2 * (l - 1) + (n == 'b')] for l in (1, 2, 3) for n in ('W', 'b')})"
        )
        subprocess.run([a.python, "-c", code, a.reference, m, path], check=True)
        os.replace(path + ".tmp.npz", path)
    return path


def has_jax(python):
    return subprocess.run([python, "-c", "import jax"], capture_output=True).returncode == 0


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--reference", required=True)
    p.add_argument("--cat-dir", required=True)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--only", default="")
    p.add_argument("--quick", action="store_true", help="a tenth of the iterations (a smoke test)")
    p.add_argument("--no-scaling", action="store_true")
    p.add_argument("--scaling-only", action="store_true", help="only the peaks and the scaling runs")
    p.add_argument("--json", default="")
    p.add_argument("--from-json", default="", help="print the table of an earlier run's JSON, run nothing")
    ARGS = a = p.parse_args()
    if a.from_json:
        saved = json.load(open(a.from_json))
        for k, v in saved["args"].items():
            if k not in ("from_json", "json"):
                setattr(a, k, v)
        rows = [r for r in workloads(a) if r[0] + " " + r[1] in saved["results"]]
        peaks = {(k.rsplit(" ", 1)[0], int(k.rsplit(" ", 1)[1])): v for k, v in saved["peaks"].items()}
        load0, load1 = saved.get("load", [["?"] * 3, ["?"] * 3])
        report(a, rows, saved["results"], peaks, saved["scaling"], load0, load1,
               saved.get("seconds", float("nan")), saved.get("products", []))
        return
    only = [s.strip() for s in a.only.split(",") if s.strip()]
    rows = [r for r in workloads(a) if not only or any(r[0].startswith(o) for o in only)]
    if a.scaling_only:
        rows = []
    bp = lambda args, threads=a.threads: [a.bin] + args + ["--threads", str(threads), "--cat-dir", a.cat_dir]  # noqa: E731
    env = numpy_env()
    results = {r[0] + " " + r[1]: {"numpy": [], "backprop": [], "direct": [], "jax": []} for r in rows}
    jax = has_jax(a.python)
    peaks = {}

    # Peak matmul rates, before and after the workloads (the machine is shared).
    def measure_peaks():
        for prec in ("f64", "f32"):
            for th in sorted({1, a.threads}):
                r = run_json(bp(["peak", "--precision", prec], th))
                peaks.setdefault((prec, th), []).append(r["gflops_best"])
        r = run_json([a.python, os.path.join(a.reference, "peak.py")], env)
        for sq in r["square"]:
            if sq["n"] == 2048:
                peaks.setdefault(("numpy " + sq["dtype"], 1), []).append(sq["gflops_best"])

    started = time.time()
    load0 = open("/proc/loadavg").read().split()[:3]
    measure_peaks()
    for rep in range(a.reps):
        for wid, prec, np_cmd, bp_args, extra in rows:
            key = wid + " " + prec
            results[key]["numpy"].append(run_json(np_cmd, env))
            results[key]["backprop"].append(run_json(bp(bp_args)))
            if extra.get("w6"):
                # numpy on both cores too (backprop and JAX use both).
                results[key].setdefault("numpy2", []).append(
                    run_json(np_cmd, dict(env, OPENBLAS_NUM_THREADS=str(a.threads))))
            if extra.get("w6") and jax:
                jax_cmd = [c if c != "numpy" else "jax" for c in np_cmd]
                results[key]["jax"].append(run_json(jax_cmd, dict(env, JAX_PLATFORMS="cpu")))
            if extra.get("direct"):
                results[key]["direct"].append(run_json(bp(bp_args + ["--path", "layers"])))
            print(f"rep {rep + 1}/{a.reps} {key}: done", file=sys.stderr, flush=True)
    measure_peaks()

    # Each product of an iteration alone, in the network's layouts (W3 and W6 shapes).
    products = []
    if not a.scaling_only:
        for prec, net, m in (("f64", "12288,20,7,5,1", 209), ("f32", "12288,20,7,5,1", 209),
                             ("f32", "784,256,128,1", 256)):
            if only and not any(("W3" if net.startswith("12288") else "W6").startswith(o) for o in only):
                continue
            runs = [run_json(bp(["products", "--precision", prec, "--net", net, "--m", str(m)]))
                    for _ in range(a.reps)]
            products.append({"precision": prec, "net": net, "m": m, "runs": runs})

    scaling = []
    if not a.no_scaling and not only:
        for prec in ("f64", "f32"):
            for m, iters in ((209, 50), (2090, 10), (20900, 3)):
                if a.quick:
                    iters = max(1, iters // 3)
                for th in sorted({1, a.threads}):
                    ts = [run_json(bp(["scaling", "--m", str(m), "--iters", str(iters),
                                       "--precision", prec, "--path", "layers"], th))["seconds_per_iter"]
                          for _ in range(a.reps)]
                    scaling.append({"precision": prec, "m": m, "threads": th, "iters": iters,
                                    "seconds_per_iter": ts})
                    print(f"scaling {prec} m={m} threads={th}: done", file=sys.stderr, flush=True)

    load1 = open("/proc/loadavg").read().split()[:3]
    seconds = time.time() - started
    report(a, rows, results, peaks, scaling, load0, load1, seconds, products)
    if a.json:
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json, "w") as f:
            json.dump({"results": results, "peaks": {f"{k[0]} {k[1]}": v for k, v in peaks.items()},
                       "scaling": scaling, "products": products, "args": vars(a), "load": [load0, load1],
                       "seconds": seconds}, f, indent=1)


def report(a, rows, results, peaks, scaling, load0, load1, seconds, products=()):
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    print(f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
          f"load {' '.join(load0)} -> {' '.join(load1)}; {seconds:.0f} s")
    pk = {k: max(v) for k, v in peaks.items()}
    print("peak square matmul 2048 (GFLOP/s, best of 5, best of the runs before and after): "
          + ", ".join(f"{k[0]} {k[1]} thread{'s' if k[1] > 1 else ''}: {v:.0f}" for k, v in sorted(pk.items())))
    print(f"backprop: {a.threads} threads, library's path; numpy: 1 OpenBLAS thread; "
          f"medians of {a.reps} runs; seconds of the training loop"
          + (" (--quick: a tenth of the iterations)" if a.quick else ""))
    main_rows = [r for r in rows if not (r[4].get("w5") or r[4].get("w6"))]
    if main_rows:
        print()
        print("| workload | precision | backprop s | numpy s | numpy / backprop | final cost backprop − numpy "
              "| backprop GFLOP/s (% of 1-thread peak) | backprop direct s | numpy / direct "
              f"| direct GFLOP/s (% of {a.threads}-thread peak) |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for wid, prec, _, _, extra in rows:
        r = results[wid + " " + prec]
        if extra.get("w5") or extra.get("w6"):
            continue
        b = med([x["loop_seconds"] for x in r["backprop"]])
        n = med([x["loop_seconds"] for x in r["numpy"]])
        dc = r["backprop"][-1]["final_cost"] - r["numpy"][-1]["final_cost"]
        cells = [wid, prec, f"{b:.4f}", f"{n:.3f}", f"**{n / b:.1f}×**", f"{dc:+.1e}"]
        if r["direct"]:
            # The default path's own arithmetic (the Gram path does ≈ 1/100 of
            # numpy's), against one thread: its per-iteration products are too
            # small to split.
            x0 = r["backprop"][-1]
            gf = x0["gram_flops_total"] / b / 1e9
            cells.append(f"{gf:.0f} ({100 * gf / pk.get((prec, 1), float('nan')):.0f} %)")
        else:
            cells.append("")
        if r["direct"]:
            d = med([x["loop_seconds"] for x in r["direct"]])
            x0 = r["direct"][-1]
            gf = x0["direct_flops_per_iter"] * x0["iters"] / d / 1e9
            peak = pk.get((prec, a.threads), float("nan"))
            cells += [f"{d:.3f}", f"{n / d:.1f}×", f"{gf:.0f} ({100 * gf / peak:.0f} %)"]
        else:
            cells += ["", "", ""]
        print("| " + " | ".join(cells) + " |")
    w5 = [(wid, prec) for wid, prec, _, _, extra in rows if extra.get("w5")]
    if w5:
        print()
        print("| W5 | the notes' loop s | vectorized s | loop / vectorized | numpy vectorized s "
              "| numpy / backprop vectorized | Python loop s |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for wid, prec in w5:
            r = results[wid + " " + prec]
            lp = med([x["loop_seconds"] for x in r["backprop"]])
            nv = med([x["network_seconds"] for x in r["backprop"]])
            if wid == "W5 toy":
                npv = med([x["numpy_vectorized"]["loop_seconds_median"] for x in r["numpy"]])
                pyl = f"{med([x['python_scalar_loop']['loop_seconds_median'] for x in r['numpy']]):.5f}"
            else:
                npv = med([x["loop_seconds"] for x in r["numpy"]])
                pyl = "(not run: hours)"
            print(f"| {wid} | {lp:.5f} | {nv:.5f} | {lp / nv:.1f}× | {npv:.5f} | **{npv / nv:.1f}×** | {pyl} |")
    w6 = [(wid, prec) for wid, prec, _, _, extra in rows if extra.get("w6")]
    for wid, prec in w6:
        r = results[wid + " " + prec]
        b = med([x["loop_seconds"] for x in r["backprop"]])
        n = med([x["loop_seconds"] for x in r["numpy"]])
        x0 = r["backprop"][-1]
        gf = x0["matmul_flops_per_epoch"] / b / 1e9
        peak = pk.get((prec, a.threads), float("nan"))
        print()
        n2 = med([x["loop_seconds"] for x in r.get("numpy2", [])])
        print(f"W6: 784-256-128-1 ReLU/sigmoid, {x0['m']} × 784 synthetic f32 (w6_scale.py's data and initial "
              f"weights, seed 0, for all three), batches of {x0['batch']} in order, SGD α = 0.01, 1 epoch; "
              f"numpy with 1 and {a.threads} OpenBLAS threads, JAX jit on the CPU (all cores; compile time "
              "not counted); backprop on "
              f"{a.threads} threads")
        print()
        print(f"| workload | backprop s | numpy s (1 thread) | numpy s ({a.threads} threads) | JAX s "
              f"| numpy / backprop | numpy {a.threads}t / backprop | JAX / backprop "
              f"| backprop GFLOP/s (% of {a.threads}-thread peak) | JAX GFLOP/s "
              "| cost before: backprop, numpy | cost after: backprop, numpy, JAX |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        if r["jax"]:
            j = med([x["loop_seconds"] for x in r["jax"]])
            js, jr, jg = f"{j:.3f}", f"**{j / b:.2f}×**", f"{r['jax'][-1]['gflops_achieved']:.0f}"
            jc = f"{r['jax'][-1]['final_cost']:.6f}"
        else:
            js = jr = jg = jc = "(no jax)"
        print(f"| {wid} | {b:.3f} | {n:.3f} | {n2:.3f} | {js} | **{n / b:.2f}×** | **{n2 / b:.2f}×** | {jr} "
              f"| {gf:.0f} ({100 * gf / peak:.0f} %) | {jg} "
              f"| {x0['cost_before']:.6f}, {r['numpy'][-1]['cost_before']:.6f} "
              f"| {x0['final_cost']:.6f}, {r['numpy'][-1]['final_cost']:.6f}, {jc} |")
    if products:
        print()
        print(f"The products of one iteration alone (`bench_workloads products`, {a.threads} threads, "
              "the network's layouts, best of 7 each; median over the runs):")
        print()
        print("| net | precision | m | every product GFLOP/s | % of peak | per product GFLOP/s |")
        print("|---|---|---:|---:|---:|---|")
        for p in products:
            allg = med([r["gflops_all"] for r in p["runs"]])
            peak = pk.get((p["precision"], a.threads), float("nan"))
            names = [x["product"] for x in p["runs"][0]["products"]]
            each = "; ".join(
                f"{n.split(' (')[0]} {med([r['products'][i]['gflops'] for r in p['runs']]):.0f}"
                for i, n in enumerate(names) if med([r['products'][i]['seconds'] for r in p['runs']]) > 5e-5)
            print(f"| {p['net']} | {p['precision']} | {p['m']} | {allg:.0f} | {100 * allg / peak:.0f} % | {each} |")
    if scaling:
        print()
        print("Scaling, W3 shape (12288-20-7-5-1) on synthetic data, every product direct (--path layers):")
        print()
        print("| precision | m | threads | s / iteration (median) | µs per example | speed-up over 1 thread |")
        print("|---|---:|---:|---:|---:|---:|")
        one = {}
        for s in scaling:
            t = med(s["seconds_per_iter"])
            if s["threads"] == 1:
                one[(s["precision"], s["m"])] = t
            base = one.get((s["precision"], s["m"]))
            sp = f"{base / t:.2f}×" if base and s["threads"] > 1 else ""
            print(f"| {s['precision']} | {s['m']} | {s['threads']} | {t:.4f} | {1e6 * t / s['m']:.1f} | {sp} |")


if __name__ == "__main__":
    main()
