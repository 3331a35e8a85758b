//! The playground's request parsing: the bytes a client sends, read as one
//! request by the server's own code, as `POST /api/runs` and
//! `POST /api/uploads` read it: `wire.rs` (the request line, headers,
//! `Content-Length`, `Expect`, chunked or absent bodies, the unread rest
//! skipped), `http.rs` (the Host and Origin checks, the typed, bounded body),
//! `spec.rs` (a run's settings, the server's bounds, the library's check) and
//! `data.rs` (an upload streamed through its column and row bounds, then read
//! by the library's CSV reader). The `backprop` binary has no library crate,
//! so those files are compiled in here by path; the input is the connection's
//! bytes in memory (a [`wire::Conn`] whose replies go nowhere).
#![no_main]

#[allow(dead_code)]
#[path = "../../crates/backprop-cli/src/playground/data.rs"]
mod data;
#[allow(dead_code)]
#[path = "../../crates/backprop-cli/src/playground/http.rs"]
mod http;
#[allow(dead_code)]
#[path = "../../crates/backprop-cli/src/playground/names.rs"]
mod names;
#[allow(dead_code)]
#[path = "../../crates/backprop-cli/src/playground/reply.rs"]
mod reply;
#[allow(dead_code)]
#[path = "../../crates/backprop-cli/src/playground/spec.rs"]
mod spec;
#[allow(dead_code)]
#[path = "../../crates/backprop-cli/src/playground/wire.rs"]
mod wire;

use std::io::{self, Cursor, Read, Write};
use std::net::Shutdown;
use std::time::Duration;

use reply::Reply;
use wire::{Conn, Request};

/// The port the seeds' `Host: 127.0.0.1:8000` names.
const PORT: u16 = 8000;

/// A connection whose client sent `data` and then ended; replies are dropped.
struct Client<'a>(Cursor<&'a [u8]>);

impl Read for Client<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Client<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Conn for Client<'_> {
    fn set_read_wait(&self, _: Option<Duration>) {}

    fn set_write_wait(&self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }

    fn end(&self, _: Shutdown) {}
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    backprop_fuzz::scratch(); // the memory budget
    match Request::read(Client(Cursor::new(data))) {
        Ok(mut request) => {
            let reply = answer(&mut request);
            request.respond(reply);
        }
        Err((client, Some((status, message)))) => {
            wire::refuse(client, &http::error(status, &message))
        }
        Err((_, None)) => {}
    }
});

/// The server's checks, then the route: a run's settings, an upload, or
/// (any other path) a JSON body as `…/step` reads it.
fn answer(request: &mut Request<Client>) -> Reply {
    if !http::host_ok(request, PORT) || !http::origin_ok(request) {
        return http::error(403, "Host or Origin");
    }
    let path = request.url.split(['?', '#']).next().unwrap_or("");
    let result = match path {
        "/api/uploads" => upload(request),
        "/api/runs" => settings(request),
        _ => http::read_typed_body(request, "application/json").and_then(|body| {
            serde_json::from_slice::<serde_json::Value>(&body)
                .map(|_| ())
                .map_err(|e| (400, e.to_string()))
        }),
    };
    match result {
        Ok(()) => Reply::new(201, "{}"),
        Err((status, message)) => http::error(status, &message),
    }
}

/// `POST /api/runs`: the settings read, bounded, mapped and checked.
fn settings(request: &mut Request<Client>) -> Result<(), (u16, String)> {
    let body = http::read_typed_body(request, "application/json")?;
    let r: spec::RunRequest = serde_json::from_slice(&body).map_err(|e| (400, e.to_string()))?;
    r.check_bounds().map_err(|e| (400, e))?;
    let model = r.model(200).map_err(|e| (400, e))?;
    model.spec.validate().map_err(|e| (400, spec::render(&e)))
}

/// `POST /api/uploads` as `files::upload` takes it: the type, the length,
/// the body copied through the bounds, then read by the library.
fn upload(request: &mut Request<Client>) -> Result<(), (u16, String)> {
    http::check_type(request, "text/csv")?;
    if request.body_length() > http::MAX_BODY as u64 {
        return Err((413, "over MAX_BODY".into()));
    }
    let mut kept = Vec::new();
    data::copy_upload(&mut request.body()?, &mut kept).map_err(|e| (400, e))?;
    let path = backprop_fuzz::file("upload.csv", &kept);
    data::read_upload(&path).map(|_| ()).map_err(|e| (400, e))
}
