//! The server's scratch space: one folder, `backprop-playground-PID` in the
//! system's temp folder, holding a folder per upload or download while it is
//! made. Each of those goes when its request ends ([`Scratch`]'s drop); the
//! whole folder goes when the server ends, however it ends short of SIGKILL
//! ([`ScratchRoot`]'s drop runs before the exit); folders left by a server
//! that was killed are removed when the next one starts.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The start of every scratch folder's name.
const PREFIX: &str = "backprop-playground-";

/// This server's scratch folder, removed when dropped.
pub struct ScratchRoot(PathBuf);

impl ScratchRoot {
    /// Removes the folders of dead servers, then makes this server's.
    pub fn create() -> std::io::Result<ScratchRoot> {
        let temp = std::env::temp_dir();
        remove_stale(&temp);
        let root = temp.join(format!("{PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&root)?;
        Ok(ScratchRoot(root))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One request's scratch folder inside the server's, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh folder in `root` (not made again if the server's folder is
    /// gone: the server is ending).
    pub fn new(root: &Path) -> std::io::Result<Scratch> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let dir = root.join(format!("s{}", NEXT.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes `temp`'s scratch folders whose server is no longer running
/// (named `backprop-playground-PID`, or `…-PID-…` as older servers named them).
fn remove_stale(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && pid != std::process::id() && !alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` exists (unknown: assumed alive, nothing removed).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false; // no process has such an id
        };
        // SAFETY: kill with signal 0 only checks that the process exists.
        let found = unsafe { libc::kill(pid, 0) } == 0;
        found || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}
