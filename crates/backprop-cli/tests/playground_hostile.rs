//! `backprop playground` under hostile requests (issue 23): each one is sent
//! raw to a live server, which must answer it (or close) and go on serving,
//! a run created before still there.

mod playground_server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use playground_server::Server;
use serde_json::json;

/// Sends `raw` as it is (and, when `end`, nothing more) and reads the reply
/// to its end: the status, or 0 when the server closed without one.
fn raw(server: &Server, raw: &str, end: bool) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    if end {
        s.shutdown(std::net::Shutdown::Write).unwrap();
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
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(
            raw(&server, &head, false),
            expected,
            "{method} {path} Host {host}"
        );
        still_serving(&server, &id, &format!("{method} {path}"));
    }
}

#[test]
fn malformed_heads_get_4xx_and_the_server_keeps_serving() {
    let server = Server::start();
    let id = server.create(json!({ "dataset": "circle", "hidden": [3], "paused": true }));
    let host = server.host();
    let long = "x".repeat(20_000);
    let many: String = (0..200).map(|i| format!("X-{i}: 1\r\n")).collect();
    for (head, expected) in [
        (format!("GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: -1\r\n\r\n"), 400),
        (format!("GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400),
        (format!("GET /{long} HTTP/1.1\r\nHost: {host}\r\n\r\n"), 431),
        (format!("GET / HTTP/1.1\r\nHost: {host}\r\n{many}\r\n"), 431),
        (format!("GET / HTTP/2.0\r\nHost: {host}\r\n\r\n"), 505),
        (format!("GET /\r\nHost: {host}\r\n\r\n"), 400),
        (format!("GET / HTTP/1.1\r\nHost {host}\r\n\r\n"), 400),
        (format!("POST /api/runs HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 411),
        (format!("POST /api/runs/{id}/step HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\n\r\nhello"), 400),
        (format!("POST /api/runs/{id}/step HTTP/1.1\r\nHost: {host}\r\nContent-Length: 2\r\n\r\n[]"), 400),
        // The body ends before its length: the connection closes, nothing is made.
        (format!("POST /api/runs HTTP/1.1\r\nHost: {host}\r\nContent-Length: 100\r\n\r\n{{}}"), 0),
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
