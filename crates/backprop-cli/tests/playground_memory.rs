//! `backprop playground` holds its memory as one budget (issue 23): uploads
//! being read, uploads kept and runs reserve from it before they allocate,
//! and a request past it is answered with a JSON error naming the budget,
//! never by the server's abort. Figures: docs/RELIABILITY.md.

mod harness;
mod playground_server;

use std::os::unix::process::CommandExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use playground_server::{still_streaming, watch, Server};
use serde_json::{json, Value};

/// An upload of 20 000 examples of 48 features: 8.7 MB, as large as the
/// playground's bounds let a CSV be.
fn big_csv() -> Vec<u8> {
    let mut text = (0..48).map(|j| format!("x{j},")).collect::<String>() + "label\n";
    for i in 0..20_000u64 {
        for j in 0..48u64 {
            let v = (i * 7919 + j * 104_729) % 1_000_000;
            text.push_str(&format!("0.{v:06},"));
        }
        text.push_str(&format!("{}\n", i % 3));
    }
    text.into_bytes()
}

/// A POST of `body` to `path`: the status (0 when the server closed without
/// a reply) and the reply parsed as JSON (null when it is not JSON).
fn post(server: &Server, path: &str, body: &[u8]) -> (u16, Value) {
    let (status, reply) =
        std::panic::catch_unwind(|| server.request("POST", path, body)).unwrap_or((0, Vec::new()));
    (
        status,
        serde_json::from_slice(&reply).unwrap_or(Value::Null),
    )
}

/// A size in kB from /proc/PID/status.
fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or(0)
}

/// The server under an address-space limit of `bytes` (as `prlimit --as`).
fn start_limited(tmp: &std::path::Path, bytes: u64) -> Server {
    let mut command = Server::command(tmp);
    // SAFETY: only setrlimit, async-signal-safe, between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Server::spawn(command)
}

#[test]
fn sixty_four_uploads_and_eight_live_runs_under_a_4gb_address_space_limit() {
    let tmp = harness::TempDir::new("playground-memory");
    let server = start_limited(&tmp.0, 4_000_000_000);
    let pid = server.child.id();
    let root = tmp.path(&format!("backprop-playground-{pid}"));
    // Eight runs of the largest generated data and network, training.
    let mut streams = Vec::new();
    for seed in 0..8 {
        let settings = json!({"dataset": "gauss", "classes": 3, "points": 5000,
            "hidden": [16, 16, 16, 16, 16, 16], "epochs": 10_000_000, "seed": seed});
        let id = server.create(settings);
        streams.push((id.clone(), watch(&server, &id)));
    }
    // The peak of the server's memory while 64 uploads of 8.7 MB arrive at once.
    let (done, peak) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let watcher = {
        let (done, peak) = (Arc::clone(&done), Arc::clone(&peak));
        std::thread::spawn(move || {
            let mut peak_size = 0;
            while !done.load(Ordering::SeqCst) {
                peak.fetch_max(status_kb(pid, "VmHWM"), Ordering::SeqCst);
                peak_size = peak_size.max(status_kb(pid, "VmSize"));
                std::thread::sleep(Duration::from_millis(20));
            }
            peak_size
        })
    };
    let csv = Arc::new(big_csv());
    let started = Instant::now();
    let replies: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let uploads: Vec<_> = (0..64)
            .map(|_| scope.spawn(|| post(&server, "/api/uploads", &csv)))
            .collect();
        uploads.into_iter().map(|u| u.join().unwrap()).collect()
    });
    done.store(true, Ordering::SeqCst);
    let peak_size = watcher.join().unwrap();
    let created = replies.iter().filter(|(s, _)| *s == 201).count();
    eprintln!(
        "64 uploads of {} bytes beside 8 live runs under RLIMIT_AS 4 GB: {created} created \
         in {:.1} s; the server's peak RSS {} MB, peak VmSize {} MB",
        csv.len(),
        started.elapsed().as_secs_f64(),
        peak.load(Ordering::SeqCst) / 1024,
        peak_size / 1024
    );
    for (status, reply) in &replies {
        match status {
            201 => assert!(reply["id"].is_string(), "{reply}"),
            413 | 503 => assert!(reply["error"].is_string(), "{status} {reply}"),
            _ => panic!("an upload got {status} {reply}"),
        }
    }
    assert!(created > 0, "some uploads are read");
    let mut server = server;
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server is up"
    );
    for (id, stream) in &mut streams {
        assert!(still_streaming(stream), "run {id} still streams");
        let (status, _) = server.request("GET", &format!("/api/runs/{id}"), b"");
        assert_eq!(status, 200, "run {id} is still there");
    }
    let waited = Instant::now();
    while std::fs::read_dir(&root).unwrap().next().is_some() && waited.elapsed().as_secs() < 10 {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_dir(&root).unwrap().count(),
        0,
        "no upload left in scratch"
    );
    harness::signal(&server.child, "TERM");
    assert_eq!(server.child.wait().unwrap().code(), Some(130));
    assert!(!root.exists(), "the scratch folder goes at SIGTERM");
}

#[test]
fn past_the_budget_a_run_is_refused_naming_it_and_fits_once_a_run_is_stopped() {
    let tmp = harness::TempDir::new("playground-budget");
    let mut command = Server::command(&tmp.0);
    command.args(["--max-memory", "300M"]);
    let server = Server::spawn(command);
    let (status, upload) = post(&server, "/api/uploads", &big_csv());
    assert_eq!(status, 201, "{upload}");
    let settings = json!({"dataset": "upload", "upload": upload["id"],
        "hidden": [16, 16, 16, 16, 16, 16], "paused": true});
    let first = server.create(settings.clone());
    server.create(settings.clone());
    // A third does not fit beside the upload kept and the two runs.
    let (status, reply) = server.json("POST", "/api/runs", &settings);
    assert_eq!(status, 503, "{reply}");
    let message = reply["error"].as_str().unwrap();
    for word in [
        "this run would take",
        "300 MB (the playground's --max-memory)",
        "stop a run",
    ] {
        assert!(message.contains(word), "{message}");
    }
    // Stopping a run gives its share back.
    let (status, _) = server.request("DELETE", &format!("/api/runs/{first}"), b"");
    assert_eq!(status, 200);
    let waited = Instant::now();
    loop {
        let (status, reply) = server.json("POST", "/api/runs", &settings);
        if status == 201 {
            break;
        }
        assert_eq!(status, 503, "{reply}");
        assert!(
            waited.elapsed().as_secs() < 10,
            "the stopped run's share comes back"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
