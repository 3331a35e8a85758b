//! `backprop playground` under hostile requests (issue 23): each one is sent
//! raw to a live server, which must answer it (or close) and go on serving,
//! a run created before still there.

mod harness;
mod playground_server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use playground_server::{still_streaming, watch, Server};
use serde_json::json;

/// Sends `raw` as it is (and, when `end`, nothing more) and reads the reply
/// to its end: the status, or 0 when the server closed without one.
fn raw(server: &Server, raw: &str, end: bool) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    // A server may refuse before it has read everything: the reply still counts.
    let _ = s.write_all(raw.as_bytes());
    if end {
        let _ = s.shutdown(std::net::Shutdown::Write);
    }
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    String::from_utf8_lossy(&reply)
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The server answers the page and still has run `id`.
fn still_serving(server: &Server, id: &str, after: &str) {
    let (status, page) = server.request("GET", "/", b"");
    assert_eq!(status, 200, "the page after {after}");
    assert!(String::from_utf8_lossy(&page).contains("backprop playground"));
    let (status, _) = server.request("GET", &format!("/api/runs/{id}"), b"");
    assert_eq!(status, 200, "the earlier run after {after}");
}

#[test]
fn a_huge_content_length_on_any_route_leaves_the_server_serving() {
    let server = Server::start();
    let id = server.create(json!({ "dataset": "circle", "hidden": [3], "paused": true }));
    // A run training throughout (one epoch a frame, for longer than the test).
    let live = server.create(
        json!({ "dataset": "circle", "hidden": [3], "epochs": 10_000_000, "epochs_per_frame": 1 }),
    );
    let mut stream = watch(&server, &live);
    let host = server.host();
    for (method, path, host, expected) in [
        ("GET", "/", host.as_str(), 200),
        ("HEAD", "/", host.as_str(), 200),
        ("POST", "/api/runs", host.as_str(), 413),
        ("POST", "/api/uploads", host.as_str(), 413),
        ("POST", &format!("/api/runs/{id}/step"), host.as_str(), 413),
        ("GET", &format!("/api/runs/{id}"), host.as_str(), 200),
        ("GET", "/api/runs/nope/events", host.as_str(), 404),
        ("GET", "/", "evil.example", 403),
    ] {
        let head = playground_server::head(host, method, path, 1_000_000_000_000);
        assert_eq!(
            raw(&server, &head, false),
            expected,
            "{method} {path} Host {host}"
        );
        still_serving(&server, &id, &format!("{method} {path}"));
        assert!(
            still_streaming(&mut stream),
            "the live run streams after {method} {path}"
        );
    }
}

#[test]
fn malformed_heads_get_4xx_and_the_server_keeps_serving() {
    let server = Server::start();
    let id = server.create(json!({ "dataset": "circle", "hidden": [3], "paused": true }));
    let host = server.host();
    let long = "x".repeat(20_000);
    let json = "Content-Type: application/json\r\n";
    let many: String = (0..200).map(|i| format!("X-{i}: 1\r\n")).collect();
    for (head, expected) in [
        (format!("GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: -1\r\n\r\n"), 400),
        (format!("GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400),
        (format!("GET /{long} HTTP/1.1\r\nHost: {host}\r\n\r\n"), 431),
        (format!("GET / HTTP/1.1\r\nHost: {host}\r\n{many}\r\n"), 431),
        (format!("GET / HTTP/2.0\r\nHost: {host}\r\n\r\n"), 505),
        (format!("GET /\r\nHost: {host}\r\n\r\n"), 400),
        (format!("GET / HTTP/1.1\r\nHost {host}\r\n\r\n"), 400),
        (format!("POST /api/runs HTTP/1.1\r\nHost: {host}\r\n{json}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 411),
        (format!("POST /api/runs/{id}/step HTTP/1.1\r\nHost: {host}\r\n{json}Content-Length: 5\r\n\r\nhello"), 400),
        (format!("POST /api/runs/{id}/step HTTP/1.1\r\nHost: {host}\r\n{json}Content-Length: 2\r\n\r\n[]"), 400),
        // The body ends before its length: the connection closes, nothing is made.
        (format!("POST /api/runs HTTP/1.1\r\nHost: {host}\r\n{json}Content-Length: 100\r\n\r\n{{}}"), 0),
    ] {
        let status = raw(&server, &head, true);
        let first = head.lines().next().unwrap_or("").chars().take(60).collect::<String>();
        if expected == 0 {
            // Closed without a reply (the body never came) or refused: never a run.
            assert!(status == 0 || status == 400, "{first}: {status}");
        } else {
            assert_eq!(status, expected, "{first}");
        }
        still_serving(&server, &id, &first);
    }
}

/// A POST with `headers` (each "Name: value") and `body`: the status and reply.
fn post(server: &Server, path: &str, headers: &[&str], body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        server.host(),
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    let status = reply.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, reply)
}

/// A live server holding one paused run, and the run's id.
fn server_with_a_run() -> (Server, String) {
    let server = Server::start();
    let id = server.create(json!({ "dataset": "circle", "hidden": [3], "paused": true }));
    (server, id)
}

#[test]
fn a_foreign_page_cannot_create_upload_or_stop() {
    let (server, id) = server_with_a_run();
    let json = "Content-Type: application/json";
    let csv = "x1,x2,label\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n";
    for origin in [
        "Origin: http://evil.example",
        "Origin: null",
        "Origin: http://127.0.0.1:1",
    ] {
        let (status, reply) = post(&server, "/api/runs", &[origin, json], "{}");
        assert_eq!(status, 403, "{origin}: {reply}");
        assert!(reply.contains("its own page"), "{reply}");
        let (status, _) = post(
            &server,
            "/api/uploads",
            &[origin, "Content-Type: text/csv"],
            csv,
        );
        assert_eq!(status, 403, "{origin}");
        let (status, _) = post(&server, &format!("/api/runs/{id}/stop"), &[origin], "");
        assert_eq!(status, 403, "{origin}");
    }
    // A "simple" request (no preflight): text/plain, a form's type, or none at all.
    for kind in [
        "Content-Type: text/plain",
        "Content-Type: application/x-www-form-urlencoded",
        "",
    ] {
        let headers: Vec<&str> = [kind].into_iter().filter(|h| !h.is_empty()).collect();
        let (status, reply) = post(&server, "/api/runs", &headers, "{}");
        assert_eq!(status, 415, "{kind}: {reply}");
        assert!(reply.contains("application/json"), "{reply}");
        let (status, reply) = post(&server, "/api/uploads", &headers, csv);
        assert_eq!(status, 415, "{kind}: {reply}");
        assert!(reply.contains("text/csv"), "{reply}");
        let (status, _) = post(&server, &format!("/api/runs/{id}/step"), &headers, "{}");
        assert_eq!(status, 415, "{kind}");
    }
    let (status, _) = server.request("GET", &format!("/api/runs/{id}"), b"");
    assert_eq!(status, 200, "the run is still there");
    // The page itself: its own origin and types.
    let own = format!("Origin: http://{}", server.host());
    let (status, reply) = post(
        &server,
        "/api/runs",
        &[&own, "Content-Type: application/json; charset=utf-8"],
        "{}",
    );
    assert_eq!(status, 201, "{reply}");
    let (status, reply) = post(
        &server,
        "/api/uploads",
        &[&own, "Content-Type: text/csv"],
        csv,
    );
    assert_eq!(status, 201, "{reply}");
    let (status, _) = post(&server, &format!("/api/runs/{id}/step"), &[&own], "");
    assert_eq!(status, 200);
}

#[test]
fn runs_whose_page_never_connected_make_room_and_the_429_says_what_is_there() {
    let server = Server::start();
    let settings = json!({ "dataset": "circle", "hidden": [3], "paused": true });
    // Eight runs nobody streams (as a foreign page's would have been): not training.
    for _ in 0..8 {
        server.create(settings.clone());
    }
    // Eight more, each streamed (paused): the first eight make room.
    let streams: Vec<_> = (0..8)
        .map(|_| {
            let id = server.create(settings.clone());
            let stream = server.connect(
                &server.host(),
                "GET",
                &format!("/api/runs/{id}/events"),
                b"",
            );
            // The head and the first event arrive once the stream is open.
            let mut first = [0u8; 64];
            let mut s = stream;
            s.read_exact(&mut first).unwrap();
            s
        })
        .collect();
    let (status, reply) = server.json("POST", "/api/runs", &settings);
    assert_eq!(status, 429, "{reply}");
    assert_eq!(
        reply["error"],
        "8 runs are open in pages already (0 training, 8 paused); close a page or stop a run first"
    );
    drop(streams);
}

/// The entries of folder `dir` (none when it is absent).
fn entries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn uploads_leave_no_scratch_folder_and_a_dead_servers_is_removed_at_start() {
    let tmp = harness::TempDir::new("playground-scratch");
    // A dead server's folders (no process has these ids), in both namings;
    // a live process's folder and a stranger's are kept.
    for stale in [
        "backprop-playground-999999999/s1",
        "backprop-playground-4194305-s3-1a2b",
    ] {
        std::fs::create_dir_all(tmp.path(stale)).unwrap();
        std::fs::write(tmp.path(stale).join("upload.csv"), "x,label\n").unwrap();
    }
    let live = format!("backprop-playground-{}", std::process::id());
    for kept in [live.as_str(), "backprop-playground-notes"] {
        std::fs::create_dir_all(tmp.path(kept)).unwrap();
    }
    let server = Server::start_in(&tmp.0);
    let root = tmp.path(&format!("backprop-playground-{}", server.child.id()));
    let mut left = entries(&tmp.0);
    left.sort();
    let mut expected = vec![
        live.clone(),
        "backprop-playground-notes".into(),
        root.file_name().unwrap().to_string_lossy().into_owned(),
    ];
    expected.sort();
    assert_eq!(
        left, expected,
        "the dead server's folders go at start, the others stay"
    );
    // Refused uploads, each refused as it arrives or once read; none leaves a file.
    let wide = (0..1_000_000)
        .map(|j| format!("c{j}"))
        .collect::<Vec<_>>()
        .join(",")
        + ",label\n";
    let long = "x1,x2,label\n".to_string() + &"0,1,0\n1,0,1\n".repeat(10_001);
    for (body, word) in [
        (wide.as_str(), "more than 258 columns"),
        (long.as_str(), "more than 20000 examples"),
        ("a,b\n1,x\n", "cannot be used"),
        ("x1,x2,label\n0,0,0\n1,1,1\n0,1,0\n1,0,1\n", ""),
    ] {
        let (status, reply) = server.request("POST", "/api/uploads", body.as_bytes());
        let reply = String::from_utf8_lossy(&reply);
        assert_eq!(status, if word.is_empty() { 201 } else { 400 }, "{reply}");
        assert!(reply.contains(word), "{reply}");
        assert!(reply.len() < 1000, "the reply does not echo the body");
        assert_eq!(entries(&root), Vec::<String>::new(), "after {reply}");
    }
    // SIGTERM while an upload arrives: the server's folder goes with it.
    let mut upload = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    upload
        .write_all(
            playground_server::head(&server.host(), "POST", "/api/uploads", 1 << 20).as_bytes(),
        )
        .unwrap();
    upload.write_all("x1,x2,label\n".as_bytes()).unwrap();
    let waited = std::time::Instant::now();
    while entries(&root).is_empty() && waited.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(entries(&root).len(), 1, "the upload's scratch folder");
    harness::signal(&server.child, "TERM");
    let mut server = server;
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(
        !root.exists(),
        "the server's scratch folder is removed at SIGTERM"
    );
}

#[test]
fn accepted_nonsense_is_refused_by_name_and_no_input_is_echoed() {
    let (server, id) = server_with_a_run();
    let json = "Content-Type: application/json";
    let csv = "Content-Type: text/csv";
    let huge_name = format!("{{\"dataset\": \"{}\"}}", "a".repeat(5_000_000));
    for (path, kind, body, word) in [
        ("/api/runs", json, "[]", "a JSON object"),
        ("/api/runs", json, "[\"circle\"]", "a JSON object"),
        ("/api/runs", json, huge_name.as_str(), "dataset 'aaaa"),
        (
            "/api/uploads",
            csv,
            "x1,x2,label\n1,2,0\n2,1,0\n1,1,0\n3,4,0\n",
            "1 classes; the playground takes 2..5",
        ),
        (
            "/api/uploads",
            csv,
            "x1,x2,label\n1e308,1,0\n-1e308,2,1\n1,1,0\n3,4,1\n",
            "column 'x1' spans -1e308 to 1e308",
        ),
    ] {
        let (status, reply) = post(&server, path, &[kind], body);
        assert_eq!(
            status,
            400,
            "{path} {}: {reply}",
            &body[..body.len().min(60)]
        );
        assert!(reply.contains(word), "{reply}");
        assert!(
            reply.len() < 2000,
            "the reply quotes at most 600 characters"
        );
    }
    still_serving(&server, &id, "the refused bodies");
}
