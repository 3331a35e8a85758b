//! The HTTP/1.1 wire, on `std::net` alone: one request per connection
//! (every reply says `Connection: close`), a head of at most [`MAX_HEAD`]
//! bytes, a body read only as far as a route asks and never past its
//! `Content-Length`. Nothing is ever allocated to a size a client names: what
//! a route leaves unread is skipped through a fixed buffer, within
//! [`LINGER_BYTES`] and [`LINGER`], and then the connection is closed.
//!
//! The reading is generic over the connection ([`Conn`]: a `TcpStream` here,
//! bytes in memory in the fuzz target `fuzz/fuzz_targets/playground.rs`).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use super::reply::Reply;

/// The most bytes of a request line and headers together.
pub const MAX_HEAD: u64 = 16 << 10;
/// The most header lines.
const MAX_HEADERS: usize = 100;
/// How long a client may take to send its head or the next piece of its body.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a reply may wait for a client that does not read it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// After the reply, at most this many unread body bytes are skipped (so a
/// client still sending its body reads the reply instead of a reset) ...
const LINGER_BYTES: u64 = 64 << 20;
/// ... for at most this long; then the connection is closed.
const LINGER: Duration = Duration::from_secs(5);

/// A client's connection: bytes both ways and the socket's controls.
pub trait Conn: Read + Write {
    /// Bounds the wait for the next read (`None`: no bound).
    fn set_read_wait(&self, wait: Option<Duration>);
    /// Bounds the wait for a write to be taken (`None`: no bound).
    fn set_write_wait(&self, wait: Option<Duration>) -> io::Result<()>;
    /// Ends one or both directions of the connection.
    fn end(&self, how: Shutdown);
}

impl Conn for TcpStream {
    fn set_read_wait(&self, wait: Option<Duration>) {
        let _ = self.set_read_timeout(wait);
    }

    fn set_write_wait(&self, wait: Option<Duration>) -> io::Result<()> {
        self.set_write_timeout(wait)
    }

    fn end(&self, how: Shutdown) {
        let _ = self.shutdown(how);
    }
}

/// The request methods the playground tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
    Other,
}

impl Method {
    fn parse(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            _ => Method::Other,
        }
    }

    /// Whether the method may change the server's state (what the
    /// cross-origin check guards): all but GET and HEAD.
    pub fn changes_state(self) -> bool {
        !matches!(self, Method::Get | Method::Head)
    }
}

/// One request: its head, read whole, and its body, read on demand.
pub struct Request<C: Conn = TcpStream> {
    pub method: Method,
    pub url: String,
    headers: Vec<(String, String)>,
    reader: BufReader<C>,
    /// Body bytes not read yet (the `Content-Length` less what was read).
    left: u64,
    chunked: bool,
    expects_continue: bool,
}

/// A head that could not be read: the status to answer, or `None` when the
/// client sent nothing (or went away) and the connection is only closed.
pub type HeadError = Option<(u16, String)>;

impl<C: Conn> Request<C> {
    /// Reads the request line and headers from `stream`.
    pub fn read(stream: C) -> Result<Request<C>, (C, HeadError)> {
        stream.set_read_wait(Some(READ_TIMEOUT));
        let _ = stream.set_write_wait(Some(WRITE_TIMEOUT));
        let mut reader = BufReader::new(stream);
        match read_head(&mut reader) {
            Ok((method, url, headers)) => Request::new(method, url, headers, reader),
            Err(e) => Err((reader.into_inner(), e)),
        }
    }

    fn new(
        method: Method,
        url: String,
        headers: Vec<(String, String)>,
        reader: BufReader<C>,
    ) -> Result<Request<C>, (C, HeadError)> {
        let mut request = Request {
            method,
            url,
            headers,
            reader,
            left: 0,
            chunked: false,
            expects_continue: false,
        };
        match request.body_facts() {
            Ok(()) => Ok(request),
            Err(e) => Err((request.reader.into_inner(), Some(e))),
        }
    }

    /// The body's length, transfer coding and `Expect`, from the headers.
    fn body_facts(&mut self) -> Result<(), (u16, String)> {
        let lengths = self.headers_named("Content-Length");
        let length = match lengths.as_slice() {
            [] => 0,
            [one] => one
                .trim()
                .parse::<u64>()
                .map_err(|_| (400, format!("Content-Length: {one:?} is not a byte count")))?,
            _ => return Err((400, "more than one Content-Length header".into())),
        };
        self.chunked = self.header("Transfer-Encoding").is_some();
        self.expects_continue = self
            .header("Expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"));
        self.left = if self.chunked { 0 } else { length };
        Ok(())
    }

    /// Every value of the header `name` (any case), in order.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of the header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's declared length (0 when there is none).
    pub fn body_length(&self) -> u64 {
        self.left
    }

    /// The body as a reader that ends at its `Content-Length`; a body sent
    /// in chunks is refused (the page and `curl` send a length).
    pub fn body(&mut self) -> Result<Body<'_, C>, (u16, String)> {
        if self.chunked {
            return Err((
                411,
                "send the body with a Content-Length (chunked bodies are not read)".into(),
            ));
        }
        if self.expects_continue && self.left > 0 {
            self.expects_continue = false;
            let stream = self.reader.get_mut();
            let _ = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
        Ok(Body { request: self })
    }

    /// Sends `reply` and closes the connection.
    pub fn respond(mut self, reply: Reply) {
        let head_only = self.method == Method::Head;
        let _ = reply.write_to(self.reader.get_mut(), head_only);
        self.close();
    }

    /// The connection, for a reply written by hand (the event stream); the
    /// request's unread body is skipped first.
    pub fn into_writer(mut self) -> io::Result<C> {
        self.skip_body(Instant::now() + LINGER);
        let stream = self.reader.into_inner();
        stream.set_write_wait(None)?;
        Ok(stream)
    }

    /// Ends the reply (so the client sees its end), skips what is left of
    /// the body within the linger bounds, and closes.
    fn close(&mut self) {
        self.reader.get_ref().end(Shutdown::Write);
        if self.chunked {
            self.left = LINGER_BYTES;
        }
        self.skip_body(Instant::now() + LINGER);
        self.reader.get_ref().end(Shutdown::Both);
    }

    /// Reads and forgets up to [`LINGER_BYTES`] of the body, until `deadline`.
    fn skip_body(&mut self, deadline: Instant) {
        let mut left = self.left.min(LINGER_BYTES);
        let mut buf = [0u8; 8192];
        while left > 0 {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            self.reader.get_ref().set_read_wait(Some(deadline - now));
            let want = buf.len().min(left as usize);
            match self.reader.read(&mut buf[..want]) {
                Ok(0) | Err(_) => break,
                Ok(n) => left -= n as u64,
            }
        }
        self.left = 0;
    }
}

/// Answers a request whose head could not be read with `reply`, then skips
/// what the client still sends (within the linger bounds) so that it reads
/// the reply rather than a reset, and closes.
pub fn refuse<C: Conn>(mut stream: C, reply: &Reply) {
    let _ = reply.write_to(&mut stream, false);
    stream.end(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let (mut left, mut buf) = (LINGER_BYTES, [0u8; 8192]);
    while left > 0 && Instant::now() < deadline {
        stream.set_read_wait(Some(deadline.saturating_duration_since(Instant::now())));
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n as u64),
        }
    }
}

/// A request's body, ending at its `Content-Length`.
pub struct Body<'a, C: Conn> {
    request: &'a mut Request<C>,
}

impl<C: Conn> Read for Body<'_, C> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.request.left;
        if left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.request.reader.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the body ended before its Content-Length",
            ));
        }
        self.request.left -= n as u64;
        Ok(n)
    }
}

type Head = (Method, String, Vec<(String, String)>);

/// The request line and headers, within [`MAX_HEAD`] bytes and [`MAX_HEADERS`] lines.
fn read_head(reader: &mut impl BufRead) -> Result<Head, HeadError> {
    let mut budget = MAX_HEAD;
    let mut line = next_line(reader, &mut budget)?;
    while line.is_empty() {
        line = next_line(reader, &mut budget)?; // empty lines before a request are allowed
    }
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, url, version] = parts.as_slice() else {
        return Err(Some((
            400,
            "the request line is not METHOD PATH HTTP/1.1".into(),
        )));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Some((
            505,
            format!("{version}: this server speaks HTTP/1.1"),
        )));
    }
    let (method, url) = (Method::parse(method), url.to_string());
    let mut headers = Vec::new();
    loop {
        let line = next_line(reader, &mut budget)?;
        if line.is_empty() {
            return Ok((method, url, headers));
        }
        if headers.len() == MAX_HEADERS {
            return Err(Some((431, format!("more than {MAX_HEADERS} headers"))));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(Some((400, "a header line has no ':'".into())));
        };
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(Some((400, "a header name is empty or has a space".into())));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
}

/// One line of the head without its CRLF (or LF), charged to `budget`.
fn next_line(reader: &mut impl BufRead, budget: &mut u64) -> Result<String, HeadError> {
    let mut bytes = Vec::new();
    let read = reader.by_ref().take(*budget).read_until(b'\n', &mut bytes);
    match read {
        Ok(0) | Err(_) => return Err(None),
        Ok(n) => *budget -= n as u64,
    }
    if bytes.last() != Some(&b'\n') {
        let too_long = *budget == 0;
        return Err(too_long.then(|| {
            (
                431,
                format!("the request head is over {} KB", MAX_HEAD >> 10),
            )
        }));
    }
    bytes.pop();
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    String::from_utf8(bytes).map_err(|_| Some((400, "the request head is not UTF-8".into())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A connection whose client sent `bytes`; what the server writes is kept.
    struct Bytes(Cursor<Vec<u8>>, Vec<u8>);

    impl Read for Bytes {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }

    impl Write for Bytes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.1.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Conn for Bytes {
        fn set_read_wait(&self, _: Option<Duration>) {}

        fn set_write_wait(&self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }

        fn end(&self, _: Shutdown) {}
    }

    fn read(raw: &str) -> Result<Request<Bytes>, HeadError> {
        let conn = Bytes(Cursor::new(raw.as_bytes().to_vec()), Vec::new());
        Request::read(conn).map_err(|(_, e)| e)
    }

    #[test]
    fn a_request_from_bytes_has_its_head_and_a_body_ending_at_its_length() {
        let raw = "\r\nPOST /api/runs?x HTTP/1.1\r\nHost: h\r\ncontent-length: 2\r\n\
                   Expect: 100-continue\r\n\r\n{}and more";
        let mut request = read(raw).map_err(|e| format!("{e:?}")).unwrap();
        assert_eq!(
            (request.method, request.url.as_str()),
            (Method::Post, "/api/runs?x")
        );
        assert_eq!(request.header("CONTENT-LENGTH"), Some("2"));
        let mut body = String::new();
        request.body().unwrap().read_to_string(&mut body).unwrap();
        assert_eq!(body, "{}");
        let written = String::from_utf8(request.reader.get_ref().1.clone()).unwrap();
        assert_eq!(written, "HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn bad_heads_from_bytes_get_their_status() {
        for (raw, status) in [
            ("GET / HTTP/2.0\r\n\r\n", Some(505)),
            ("GET /\r\n\r\n", Some(400)),
            ("GET / HTTP/1.1\r\nno colon\r\n\r\n", Some(400)),
            ("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", Some(400)),
            (
                "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
                Some(400),
            ),
            ("GET / HTTP/1.1\r\nHost: h\r\n", None),
            ("", None),
        ] {
            let got = read(raw).err().map(|e| e.map(|(s, _)| s));
            assert_eq!(got, Some(status), "{raw:?}");
        }
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_HEAD as usize));
        assert_eq!(read(&long).err().flatten().map(|e| e.0), Some(431));
    }
}
