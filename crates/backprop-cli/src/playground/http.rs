//! HTTP replies and requests: JSON bodies, `{"error": …}`, the Host check,
//! bounded bodies.

use std::io::Read;

use serde_json::json;
use tiny_http::{Header, Request, Response};

/// The largest request body (a run's settings, an uploaded CSV).
pub const MAX_BODY: usize = 10 << 20;

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
