//! The HTTP side: one thread per request, the Host check, and the event
//! stream (server-sent events written by hand); [`api`] answers the rest.
//!
//! Every handler answers with a status and, for errors, `{"error": "…"}`;
//! nothing a client sends can stop the server.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::api;
use super::app::{App, MAX_ACTIVE, MAX_REFUSING};
use super::http::{error, host_ok, origin_ok};
use super::run::{lock, Mode, Run};
use super::wire::{refuse, Method, Request};

/// How often the accept loop looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(50);

/// Serves connections from `listener`, each on its own thread, until Ctrl-C
/// or SIGTERM ([`backprop::stop`]): then [`backprop::Error::Stopped`] within
/// one poll, for the command's exit 130 (the runs live in memory only).
pub fn serve(listener: TcpListener, app: Arc<App>) -> Result<(), backprop::Error> {
    let connections = accept_thread(listener);
    loop {
        backprop::stop::check("serving the playground")?;
        let stream = match connections.recv_timeout(STOP_POLL) {
            Ok(stream) => stream,
            Err(RecvTimeoutError::Timeout) => continue,
            // The listener failed: the server ends.
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        if app.active.load(Ordering::SeqCst) >= MAX_ACTIVE {
            busy(stream);
            continue;
        }
        app.active.fetch_add(1, Ordering::SeqCst);
        let app2 = Arc::clone(&app);
        let spawned = std::thread::Builder::new()
            .name("playground-request".into())
            .spawn(move || {
                connection(&app2, stream);
                app2.active.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            app.active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Accepts connections on a thread of its own (blocking), handing them over.
fn accept_thread(listener: TcpListener) -> Receiver<TcpStream> {
    let (send, connections) = mpsc::channel();
    let _ = std::thread::Builder::new()
        .name("playground-accept".into())
        .spawn(move || {
            for stream in listener.incoming() {
                match stream {
                    Ok(stream) => {
                        if send.send(stream).is_err() {
                            return;
                        }
                    }
                    // Out of descriptors, a connection reset before accept: wait, go on.
                    Err(_) => std::thread::sleep(STOP_POLL),
                }
            }
        });
    connections
}

/// Answers 503 without reading the request (the server is at
/// [`MAX_ACTIVE`]), on a thread of its own that skips what the client still
/// sends, within the linger bounds; past [`MAX_REFUSING`], only closes.
fn busy(stream: TcpStream) {
    static REFUSING: AtomicUsize = AtomicUsize::new(0);
    if REFUSING.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        REFUSING.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let spawned = std::thread::Builder::new()
        .name("playground-busy".into())
        .spawn(move || {
            refuse(stream, &error(503, "too many requests at once; try again"));
            REFUSING.fetch_sub(1, Ordering::SeqCst);
        });
    if spawned.is_err() {
        REFUSING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Reads one request from `stream` and answers it.
fn connection(app: &Arc<App>, stream: TcpStream) {
    match Request::read(stream) {
        Ok(request) => handle(app, request),
        Err((stream, Some((status, message)))) => refuse(stream, &error(status, &message)),
        Err((_, None)) => {}
    }
}

fn handle(app: &Arc<App>, mut request: Request) {
    if !host_ok(&request, app.port) {
        request.respond(error(
            403,
            "the Host header must be 127.0.0.1:PORT or localhost:PORT (this server refuses other names)",
        ));
        return;
    }
    if !origin_ok(&request) {
        request.respond(error(
            403,
            "this server takes commands only from its own page (the Origin header names another)",
        ));
        return;
    }
    let url = request.url.clone();
    let path = url.split(['?', '#']).next().unwrap_or("").to_string();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = request.method;
    // The event stream takes the connection over; everything else answers once.
    if let (Method::Get, ["api", "runs", id, "events"]) = (method, parts.as_slice()) {
        let run = lock(&app.runs).get(*id).cloned();
        match run {
            Some(run) => stream(app, run, request),
            None => request.respond(error(
                404,
                "no such run (it ended, or the server restarted)",
            )),
        }
        return;
    }
    let response = api::route(app, method, &parts, &mut request);
    request.respond(response);
}

/// `GET /api/runs/{id}/events`: the latest event whenever there is a new one
/// (at most one a frame), a comment line every second otherwise; ends after
/// the `done` event. A write that fails means the page went away: its run stops.
fn stream(app: &App, run: Arc<Run>, request: Request) {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\nX-Accel-Buffering: no\r\n\r\n";
    let Ok(mut out) = request.into_writer().map(std::io::BufWriter::new) else {
        app.drop_run(&run.id);
        return;
    };
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
