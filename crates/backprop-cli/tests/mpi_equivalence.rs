//! Data-parallel training under `mpirun` (a build with `--features mpi`):
//! 2 and 4 ranks end with the one-process run's weights to 1e-10 relative, for
//! full-batch gradient descent on the cat data and for mini-batch Adam.
//! Ranks are oversubscribed on this 2-core machine.
#![cfg(feature = "mpi")]

mod harness;

use std::process::Command;

use harness::{backprop, cat_dir, checkpoint_state, json, stderr, TempDir};

/// The weights of a run folder, in tensor-name order, as f64.
fn weights(path: &std::path::Path) -> Vec<f64> {
    let bytes = std::fs::read(path.join("model.safetensors")).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let data = &bytes[8 + n..];
    let mut names: Vec<&String> = header.keys().filter(|k| *k != "__metadata__").collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let t = &header[name];
        assert_eq!(t["dtype"], "F64");
        let (s, e) = (
            t["data_offsets"][0].as_u64().unwrap() as usize,
            t["data_offsets"][1].as_u64().unwrap() as usize,
        );
        out.extend(
            data[s..e]
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().unwrap())),
        );
    }
    out
}

/// `mpirun -np RANKS backprop ARGS` in `tmp`. Each job keeps its Open MPI
/// session folder under `tmp`: jobs started at once by parallel tests would
/// otherwise race to create the same `/tmp/ompi.HOST.UID` and one fails
/// with "mkdir ... File exists".
fn mpirun_command(tmp: &TempDir, ranks: usize, args: &[&str]) -> Command {
    let session = tmp.path("ompi-session");
    std::fs::create_dir_all(&session).unwrap();
    let mut command = Command::new("mpirun");
    command
        .args([
            "--allow-run-as-root",
            "--oversubscribe",
            "--bind-to",
            "none",
            "-np",
            &ranks.to_string(),
        ])
        .arg(env!("CARGO_BIN_EXE_backprop"))
        .args(args)
        .env("TMPDIR", &session)
        .current_dir(&tmp.0);
    command
}

fn mpirun(tmp: &TempDir, ranks: usize, args: &[&str]) {
    let out = mpirun_command(tmp, ranks, args)
        .output()
        .expect("mpirun (OpenMPI) is installed: .ci/run installs it");
    assert!(out.status.success(), "mpirun -np {ranks}: {}", stderr(&out));
}

fn max_relative(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .fold(0.0, |m, (x, y)| m.max((x - y).abs() / scale))
}

fn equivalent_across_ranks(tmp: &TempDir, args: &[&str]) -> Vec<(usize, f64)> {
    let mut one = args.to_vec();
    one.extend_from_slice(&["--out", "one"]);
    let out = backprop(&tmp.0, &one);
    assert!(out.status.success(), "{}", stderr(&out));
    let reference = weights(&tmp.path("one"));
    [2, 4]
        .into_iter()
        .map(|ranks| {
            let name = format!("ranks{ranks}");
            let mut many = args.to_vec();
            many.extend_from_slice(&["--out", &name]);
            mpirun(tmp, ranks, &many);
            let d = max_relative(&reference, &weights(&tmp.path(&name)));
            eprintln!("{ranks} ranks: max relative weight difference {d:e}");
            assert!(d < 1e-10, "{ranks} ranks: {d:e}");
            (ranks, d)
        })
        .collect()
}

#[test]
#[cfg_attr(
    no_cat_data,
    ignore = "needs the cat data: ../shared/datasets/catvnoncat or $BACKPROP_CAT_DIR"
)]
fn full_batch_gradient_descent_on_the_cat_data() {
    let Some(cats) = cat_dir() else { return };
    let tmp = TempDir::new("mpi-cats");
    let train = cats.join("train_catvnoncat.h5");
    equivalent_across_ranks(
        &tmp,
        &[
            "train",
            "--train",
            train.to_str().unwrap(),
            "--hidden",
            "none",
            "--init",
            "zeros",
            "--learning-rate",
            "0.005",
            "--iterations",
            "2000",
            "--precision",
            "f64",
            "--threads",
            "1",
            "--quiet",
        ],
    );
    let m = json(&tmp.path("ranks2/metrics.json"));
    let c = m["costs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c[0] == 1900)
        .unwrap()[1]
        .as_f64()
        .unwrap();
    assert!((c - 0.140872).abs() < 1e-5, "cost@1900 under 2 ranks: {c}");
    assert!((m["train_accuracy"].as_f64().unwrap() - 207.0 / 209.0).abs() < 1e-12);
}

/// Mini-batch Adam on the spiral CSV at `train` (each test adds the epochs and the output folder).
fn spiral_adam(train: &str) -> Vec<&str> {
    vec![
        "train",
        "--train",
        train,
        "--hidden",
        "40",
        "--activation",
        "relu",
        "--init",
        "he",
        "--optimizer",
        "adam",
        "--batch-size",
        "100",
        "--learning-rate",
        "0.01",
        "--precision",
        "f64",
        "--threads",
        "1",
        "--quiet",
    ]
}

#[test]
fn mini_batch_adam_on_synthetic_data() {
    let tmp = TempDir::new("mpi-adam");
    let d = backprop::data::spiral::spiral(200, 3, 1);
    backprop::data::write_csv(&tmp.path("spiral.csv"), d.x.view(), d.y.view()).unwrap();
    let mut args = spiral_adam("spiral.csv");
    args.extend(["--epochs", "40"]);
    equivalent_across_ranks(&tmp, &args);
}

/// Whether this process runs as root (network namespaces need it).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn two_hosts_over_tcp_give_the_same_weights() {
    if !is_root() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI runs as root"
        );
        eprintln!("SKIPPED: network namespaces need root");
        return;
    }
    let tmp = TempDir::new("mpi-two-hosts");
    let d = backprop::data::spiral::spiral(200, 3, 2);
    backprop::data::write_csv(&tmp.path("spiral.csv"), d.x.view(), d.y.view()).unwrap();
    let data = tmp.path("spiral.csv");
    let mut args = spiral_adam(data.to_str().unwrap());
    args.extend(["--epochs", "30", "--out"]);
    let mut one = args.to_vec();
    let one_dir = tmp.path("one");
    one.push(one_dir.to_str().unwrap());
    let out = backprop(&tmp.0, &one);
    assert!(out.status.success(), "{}", stderr(&out));
    let two_dir = tmp.path("two-hosts");
    let mut two = args.to_vec();
    two.push(two_dir.to_str().unwrap());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mpi/two_hosts.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_backprop"))
        .args(&two)
        .current_dir(&tmp.0)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "two hosts: {}{}",
        harness::stdout(&out),
        stderr(&out)
    );
    let d = max_relative(&weights(&one_dir), &weights(&two_dir));
    eprintln!("two hosts over TCP (veth between network namespaces): max relative weight difference {d:e}");
    assert!(d < 1e-10, "{d:e}");
}

/// The PIDs of `mpirun`'s rank processes, with their ranks.
fn ranks_of(mpirun_pid: u32) -> Vec<(usize, u32)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let ppid: u32 = stat
            .rsplit(')')
            .next()
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        if ppid != mpirun_pid {
            continue;
        }
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let rank = env
            .split(|&b| b == 0)
            .filter_map(|kv| std::str::from_utf8(kv).ok())
            .find_map(|kv| kv.strip_prefix("OMPI_COMM_WORLD_RANK="))
            .and_then(|r| r.parse().ok());
        if let Some(r) = rank {
            found.push((r, pid));
        }
    }
    found
}

#[test]
fn a_dead_rank_ends_the_job_and_the_checkpoint_resumes_with_any_number_of_ranks() {
    let tmp = TempDir::new("mpi-fault");
    let d = backprop::data::spiral::spiral(1000, 3, 4);
    backprop::data::write_csv(&tmp.path("spiral.csv"), d.x.view(), d.y.view()).unwrap();
    let args = spiral_adam("spiral.csv");
    // The uninterrupted run, for reference.
    let mut whole = args.to_vec();
    whole.extend_from_slice(&["--epochs", "60", "--out", "whole"]);
    let out = backprop(&tmp.0, &whole);
    assert!(out.status.success(), "{}", stderr(&out));

    // 2 ranks with checkpoints; rank 1 is killed once a checkpoint exists.
    let mut cut = args.to_vec();
    cut.extend_from_slice(&[
        "--epochs",
        "5000",
        "--checkpoint-every",
        "5",
        "--out",
        "cut",
    ]);
    let child = mpirun_command(&tmp, 2, &cut)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !tmp.path("cut/checkpoint.safetensors").is_file() {
        assert!(start.elapsed().as_secs() < 60, "no checkpoint appeared");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let ranks = ranks_of(child.id());
    let (_, victim) = ranks
        .iter()
        .find(|(r, _)| *r == 1)
        .copied()
        .expect("rank 1 is running");
    assert!(Command::new("kill")
        .args(["-KILL", &victim.to_string()])
        .status()
        .unwrap()
        .success());
    let killed_at = std::time::Instant::now();
    let output = child.wait_with_output().unwrap();
    let waited = killed_at.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&output.stderr);
    eprintln!(
        "after the kill, mpirun ended in {waited:.2} s with {:?}: {}",
        output.status.code(),
        err.lines().find(|l| l.contains("signal")).unwrap_or("")
    );
    assert!(
        !output.status.success(),
        "the job does not succeed without a rank"
    );
    assert!(waited < 30.0, "no hang");
    assert!(
        err.contains("signal 9") || err.contains("Killed"),
        "a message naming the dead rank: {err}"
    );

    // The last checkpoint resumes with 1 rank and with 2 ranks to the uninterrupted result.
    let state = checkpoint_state(&tmp.path("cut"));
    eprintln!("checkpoint at epoch {}", state["epoch"]);
    copy_dir(&tmp.path("cut"), &tmp.path("cut2"));
    let out = backprop(
        &tmp.0,
        &["train", "--resume", "cut", "--epochs", "60", "--quiet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    mpirun(
        &tmp,
        2,
        &["train", "--resume", "cut2", "--epochs", "60", "--quiet"],
    );
    let reference = weights(&tmp.path("whole"));
    for run in ["cut", "cut2"] {
        let d = max_relative(&reference, &weights(&tmp.path(run)));
        eprintln!("resumed {run}: max relative weight difference {d:e}");
        assert!(d < 1e-10, "{run}: {d:e}");
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}
