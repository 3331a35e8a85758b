//! `backprop playground`: the notes, alive in a browser. A small HTTP server
//! on 127.0.0.1 serves one self-contained page (HTML, CSS and JavaScript
//! embedded in the binary) and trains networks with the library on its own
//! threads, streaming each frame to the page as server-sent events.
//!
//! - [`spec`]: a run's settings, the server's bounds, and their one mapping
//!   onto the library's settings; [`names`]: the settings named by the
//!   page's JSON fields; [`command`]: the equivalent `backprop
//!   train` command of those settings; [`data`]: the run's data sets;
//! - [`session`]: the library's training session, advanced epoch by epoch;
//! - [`snapshot`]: what one event carries (regions, unit heatmaps, weights);
//! - [`run`]: a run's thread, commands and latest event;
//! - [`server`]: HTTP and the event stream; [`api`]: the routes;
//!   [`files`]: downloads and uploads; [`app`]: the runs and uploads kept;
//!   [`http`]: replies, the Host check, bounded bodies; [`wire`]: HTTP/1.1
//!   on `std::net`, one request per connection; [`reply`]: a reply's bytes;
//!   [`scratch`]: the server's temporary folders; [`server_memory`]: the
//!   memory budget uploads and runs reserve from.

mod api;
mod app;
mod assets;
mod command;
mod data;
mod files;
mod http;
mod names;
mod reply;
mod run;
mod scratch;
mod server;
mod server_memory;
mod session;
mod snapshot;
mod spec;
mod wire;

use std::io::Write;

/// Binds 127.0.0.1:`port` (0: any free port), prints the address as the first
/// line of output, opens the browser unless `no_open`, and serves until
/// Ctrl-C or SIGTERM (an [`backprop::Error::Stopped`], exit 130).
pub fn serve(port: u16, open: bool) -> anyhow::Result<()> {
    server_memory::limit_arenas();
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("--port {port}: cannot listen on 127.0.0.1:{port}: {e}; choose another port (0 picks a free one)"))?;
    let port = listener.local_addr()?.port();
    // Made (and dead servers' removed) before the address is printed;
    // removed when serving ends, by Ctrl-C and SIGTERM too (before the exit).
    let scratch = scratch::ScratchRoot::create().map_err(|e| {
        anyhow::anyhow!(
            "cannot make a scratch folder in {}: {e}",
            std::env::temp_dir().display()
        )
    })?;
    let url = format!("http://127.0.0.1:{port}/");
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{url}")?;
    stdout.flush()?;
    // Everything after the address goes to stderr: a script that read the
    // first line and closed the pipe must not stop the server.
    eprintln!("backprop playground: open the address above; Ctrl-C stops the server");
    if open {
        open_browser(&url);
    }
    server::serve(listener, app::App::new(port, scratch.path()))?;
    Ok(())
}

/// Asks the desktop to open `url`; a failure only prints a note.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!("note: could not start {opener}; open {url} in a browser yourself");
    }
}
