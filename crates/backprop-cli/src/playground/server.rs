//! The HTTP side: one thread per request, the Host check, bounded bodies,
//! routing, and the event stream (server-sent events written by hand).
//!
//! Every handler answers with a status and, for errors, `{"error": "…"}`;
//! nothing a client sends can stop the server.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backprop::data::Dataset;
use serde_json::json;
use tiny_http::{Header, Method, Request, Response};

use super::api;
use super::run::{lock, Mode, Run};

/// The largest request body (a run's settings, an uploaded CSV).
pub const MAX_BODY: usize = 10 << 20;
/// The most runs kept at once.
pub const MAX_RUNS: usize = 8;
/// The most uploads kept at once (the oldest goes first).
pub const MAX_UPLOADS: usize = 8;
/// The most requests handled at once (event streams included).
pub const MAX_ACTIVE: usize = 64;
/// A run nobody has touched for this long may be dropped to make room.
pub const IDLE: Duration = Duration::from_secs(600);

/// Everything the handlers share.
pub struct App {
    pub port: u16,
    pub runs: Mutex<HashMap<String, Arc<Run>>>,
    pub uploads: Mutex<Vec<(String, Arc<Dataset>)>>,
    next_id: AtomicU64,
    active: AtomicUsize,
}

impl App {
    pub fn new(port: u16) -> Arc<App> {
        Arc::new(App {
            port,
            runs: Mutex::new(HashMap::new()),
            uploads: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            active: AtomicUsize::new(0),
        })
    }

    /// A fresh id: a counter and the clock, so ids of earlier servers do not repeat.
    pub fn new_id(&self, prefix: &str) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        format!("{prefix}{n}-{t:08x}")
    }

    /// Stops a run and forgets it.
    pub fn drop_run(&self, id: &str) {
        if let Some(run) = lock(&self.runs).remove(id) {
            let _ = run.command("stop", 0);
        }
    }

    /// Makes room for one more run: drops finished or idle runs, oldest first.
    /// Fails when [`MAX_RUNS`] runs are all live.
    pub fn make_room(&self) -> Result<(), String> {
        let mut runs = lock(&self.runs);
        if runs.len() < MAX_RUNS {
            return Ok(());
        }
        let mut candidates: Vec<(Instant, String)> = runs
            .values()
            .filter_map(|r| {
                let s = lock(&r.shared);
                (s.mode == Mode::Done || s.touched.elapsed() > IDLE)
                    .then(|| (s.touched, r.id.clone()))
            })
            .collect();
        candidates.sort();
        match candidates.first() {
            Some((_, id)) => {
                if let Some(run) = runs.remove(id) {
                    let _ = run.command("stop", 0);
                }
                Ok(())
            }
            None => Err(format!(
                "{MAX_RUNS} runs are training already; close a page or stop a run first"
            )),
        }
    }
}

/// How often the accept loop looks at the stop flag.
const STOP_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Serves requests from `server`, each on its own thread, until Ctrl-C or
/// SIGTERM ([`backprop::stop`]): then [`backprop::Error::Stopped`] within
/// one poll, for the command's exit 130 (the runs live in memory only).
pub fn serve(server: tiny_http::Server, app: Arc<App>) -> Result<(), backprop::Error> {
    loop {
        backprop::stop::check("serving the playground")?;
        let request = match server.recv_timeout(STOP_POLL) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            // The listener failed: end as `incoming_requests` did.
            Err(_) => return Ok(()),
        };
        if app.active.load(Ordering::SeqCst) >= MAX_ACTIVE {
            let _ = request.respond(error(503, "too many requests at once; try again"));
            continue;
        }
        app.active.fetch_add(1, Ordering::SeqCst);
        let app2 = Arc::clone(&app);
        let spawned = std::thread::Builder::new()
            .name("playground-request".into())
            .spawn(move || {
                handle(&app2, request);
                app2.active.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            app.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A JSON response with `status`.
pub fn json_response(status: u16, value: &serde_json::Value) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_string(value.to_string())
        .with_status_code(status)
        .with_header(header("Content-Type", "application/json"))
        .with_header(header("Cache-Control", "no-store"))
}

/// `{"error": message}` with `status`.
pub fn error(status: u16, message: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    json_response(status, &json!({ "error": message }))
}

pub fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

/// Whether the Host header names this server on loopback (`127.0.0.1:PORT`
/// or `localhost:PORT`): a page from another site that rebinds its own name
/// to 127.0.0.1 still sends its own name, and is refused.
pub fn host_ok(request: &Request, port: u16) -> bool {
    let hosts: Vec<&str> = request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str())
        .collect();
    matches!(hosts.as_slice(), [h] if *h == format!("127.0.0.1:{port}") || *h == format!("localhost:{port}"))
}

/// Reads the body, refusing more than [`MAX_BODY`] bytes.
pub fn read_body(request: &mut Request) -> Result<Vec<u8>, (u16, String)> {
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err((413, format!("the body is over {} MB", MAX_BODY >> 20)));
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| (400, format!("the body could not be read: {e}")))?;
    if body.len() > MAX_BODY {
        return Err((413, format!("the body is over {} MB", MAX_BODY >> 20)));
    }
    Ok(body)
}

fn handle(app: &Arc<App>, mut request: Request) {
    if !host_ok(&request, app.port) {
        let _ = request.respond(error(
            403,
            "the Host header must be 127.0.0.1:PORT or localhost:PORT (this server refuses other names)",
        ));
        return;
    }
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("").to_string();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = request.method().clone();
    // The event stream takes the connection over; everything else answers once.
    if let (Method::Get, ["api", "runs", id, "events"]) = (&method, parts.as_slice()) {
        let run = lock(&app.runs).get(*id).cloned();
        match run {
            Some(run) => stream(app, run, request),
            None => {
                let _ = request.respond(error(
                    404,
                    "no such run (it ended, or the server restarted)",
                ));
            }
        }
        return;
    }
    let response = api::route(app, &method, &parts, &mut request);
    let _ = request.respond(response);
}

/// `GET /api/runs/{id}/events`: the latest event whenever there is a new one
/// (at most one a frame), a comment line every second otherwise; ends after
/// the `done` event. A write that fails means the page went away: its run stops.
fn stream(app: &App, run: Arc<Run>, request: Request) {
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                Transfer-Encoding: chunked\r\nX-Accel-Buffering: no\r\n\r\n";
    if out
        .write_all(head.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        app.drop_run(&run.id);
        return;
    }
    run.subscribe();
    let mut seen = 0u64;
    loop {
        let (event, finished) = {
            let mut s = lock(&run.shared);
            let deadline = Instant::now() + Duration::from_secs(1);
            while s.seq == seen && !s.stopped && Instant::now() < deadline {
                let wait = deadline.saturating_duration_since(Instant::now());
                s = run
                    .changed
                    .wait_timeout(s, wait)
                    .map(|r| r.0)
                    .unwrap_or_else(|e| e.into_inner().0);
            }
            s.touched = Instant::now();
            let event = (s.seq != seen).then(|| Arc::clone(&s.latest));
            seen = s.seq;
            (event, s.mode == Mode::Done || s.stopped)
        };
        let text = match &event {
            Some(e) => format!("data: {e}\n\n"),
            None => ": ping\n\n".to_string(),
        };
        // One HTTP chunk per event; the empty chunk after the last ends the response.
        let end = if finished { "0\r\n\r\n" } else { "" };
        let written = write!(out, "{:x}\r\n{text}\r\n{end}", text.len()).and_then(|_| out.flush());
        if written.is_err() {
            app.drop_run(&run.id);
            return;
        }
        if finished {
            return;
        }
    }
}
