//! The HTTP side: one thread per request, the Host check, and the event
//! stream (server-sent events written by hand); [`api`] answers the rest.
//!
//! Every handler answers with a status and, for errors, `{"error": "…"}`;
//! nothing a client sends can stop the server.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tiny_http::{Method, Request};

use super::api;
use super::app::{App, MAX_ACTIVE};
use super::http::{error, host_ok};
use super::run::{lock, Mode, Run};

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
