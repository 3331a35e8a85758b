//! HTTP replies and requests: JSON bodies, `{"error": …}`, the Host check,
//! bounded bodies.

use std::io::Read;

use serde_json::json;

use super::reply::Reply;
use super::wire::{Conn, Request};

/// The largest request body (a run's settings, an uploaded CSV).
pub const MAX_BODY: usize = 10 << 20;

/// A JSON response with `status`.
pub fn json_response(status: u16, value: &serde_json::Value) -> Reply {
    Reply::new(status, value.to_string())
        .with_header("Content-Type", "application/json")
        .with_header("Cache-Control", "no-store")
}

/// The most characters of an error message: a message quoting a client's
/// value never sends a large input back.
const MAX_MESSAGE: usize = 600;

/// `{"error": message}` with `status`, the message cut at [`MAX_MESSAGE`]
/// characters.
pub fn error(status: u16, message: &str) -> Reply {
    let message = match message.char_indices().nth(MAX_MESSAGE) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_string(),
    };
    json_response(status, &json!({ "error": message }))
}

/// Whether the Host header names this server on loopback (`127.0.0.1:PORT`
/// or `localhost:PORT`): a page from another site that rebinds its own name
/// to 127.0.0.1 still sends its own name, and is refused.
pub fn host_ok<C: Conn>(request: &Request<C>, port: u16) -> bool {
    let hosts = request.headers_named("Host");
    matches!(hosts.as_slice(), [h] if *h == format!("127.0.0.1:{port}") || *h == format!("localhost:{port}"))
}

/// Whether a request that may change state comes from the page itself: a
/// browser names the page's origin in `Origin` (a foreign page's, or `null`
/// from a sandboxed frame or a file, is refused); a request without one is
/// not a browser's cross-site request (curl, a script) and passes.
pub fn origin_ok<C: Conn>(request: &Request<C>) -> bool {
    if !request.method.changes_state() {
        return true;
    }
    match request.headers_named("Origin").as_slice() {
        [] => true,
        [origin] => request
            .header("Host")
            .is_some_and(|host| *origin == format!("http://{host}")),
        _ => false,
    }
}

/// Reads a body that must be of media type `kind` (`application/json`,
/// `text/csv`): a page of another site cannot send these without the
/// browser asking this server first, which it never allows.
pub fn read_typed_body<C: Conn>(
    request: &mut Request<C>,
    kind: &str,
) -> Result<Vec<u8>, (u16, String)> {
    check_type(request, kind)?;
    read_body(request)
}

/// Refuses (415) a body whose `Content-Type` is not the media type `kind`.
pub fn check_type<C: Conn>(request: &Request<C>, kind: &str) -> Result<(), (u16, String)> {
    let sent = request.header("Content-Type").unwrap_or("");
    let media = sent.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case(kind) {
        return Err((
            415,
            format!("the body must be sent as Content-Type: {kind} (got {sent:?})"),
        ));
    }
    Ok(())
}

/// Reads the body, refusing more than [`MAX_BODY`] bytes (before reading
/// any when its length says so).
fn read_body<C: Conn>(request: &mut Request<C>) -> Result<Vec<u8>, (u16, String)> {
    if request.body_length() > MAX_BODY as u64 {
        return Err((413, format!("the body is over {} MB", MAX_BODY >> 20)));
    }
    let mut body = Vec::new();
    request
        .body()?
        .read_to_end(&mut body)
        .map_err(|e| (400, format!("the body could not be read: {e}")))?;
    Ok(body)
}
