//! A live `backprop playground` for the tests: started on a free port,
//! spoken to over raw TCP as a browser would, killed when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The server, killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Server {
    pub fn start() -> Server {
        Server::start_in(&std::env::temp_dir())
    }

    /// The server with `tmp` as its temp folder (TMPDIR), where its scratch folders go.
    pub fn start_in(tmp: &Path) -> Server {
        Server::spawn(Server::command(tmp))
    }

    /// The command that starts the server with `tmp` as its temp folder
    /// (more arguments or limits may be added before [`Server::spawn`]).
    pub fn command(tmp: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_backprop"));
        command
            .args(["playground", "--port", "0", "--no-open"])
            .env("TMPDIR", tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    }

    /// Starts `command` and reads the server's address from its first line.
    pub fn spawn(mut command: Command) -> Server {
        let mut child = command.spawn().expect("the backprop binary starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first
            .trim()
            .strip_prefix("http://127.0.0.1:")
            .and_then(|s| s.strip_suffix('/'))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("first line is the address, got {first:?}"));
        Server { child, port }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends one request with `host` as the Host header; returns (status, body).
    pub fn request_as(&self, host: &str, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let mut s = self.connect(host, method, path, body);
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head[9..12].parse().unwrap();
        (status, raw[split + 4..].to_vec())
    }

    pub fn connect(&self, host: &str, method: &str, path: &str, body: &[u8]) -> TcpStream {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        s.write_all(head(host, method, path, body.len() as u64).as_bytes())
            .unwrap();
        s.write_all(body).unwrap();
        s
    }

    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        self.request_as(&self.host(), method, path, body)
    }

    pub fn json(&self, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let (status, bytes) = self.request(method, path, body.to_string().as_bytes());
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub fn create(&self, settings: Value) -> String {
        let (status, reply) = self.json("POST", "/api/runs", &settings);
        assert_eq!(status, 201, "{reply}");
        reply["id"].as_str().unwrap().to_string()
    }

    /// Reads the run's event stream to its end (or `limit` events): each event
    /// with the time it arrived.
    pub fn events(&self, id: &str, limit: usize) -> Vec<(Instant, Value)> {
        let s = self.connect(&self.host(), "GET", &format!("/api/runs/{id}/events"), b"");
        let mut r = BufReader::new(s);
        let mut line = String::new();
        loop {
            line.clear();
            r.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break; // end of the head
            }
        }
        let mut events = Vec::new();
        while events.len() < limit {
            // One chunk: its size in hex, the bytes, CRLF.
            line.clear();
            r.read_line(&mut line).unwrap();
            let size = usize::from_str_radix(line.trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk).unwrap();
            let text = String::from_utf8(chunk).unwrap();
            if let Some(data) = text.strip_prefix("data: ") {
                events.push((Instant::now(), serde_json::from_str(data.trim()).unwrap()));
            }
        }
        events
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request's head as the page sends it: `host`, the content type the page
/// sends to `path` (CSV to the uploads, JSON elsewhere), a body of `length`.
pub fn head(host: &str, method: &str, path: &str, length: u64) -> String {
    let kind = if path == "/api/uploads" {
        "text/csv"
    } else {
        "application/json"
    };
    format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {kind}\r\n\
         Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )
}

/// Opens run `id`'s event stream (so it trains) and reads its first bytes.
pub fn watch(server: &Server, id: &str) -> TcpStream {
    let mut s = server.connect(
        &server.host(),
        "GET",
        &format!("/api/runs/{id}/events"),
        b"",
    );
    let mut first = [0u8; 64];
    s.read_exact(&mut first).unwrap();
    s
}

/// The stream still sends: a few more bytes arrive.
pub fn still_streaming(stream: &mut TcpStream) -> bool {
    let mut more = [0u8; 256];
    stream.read(&mut more).is_ok_and(|n| n > 0)
}
