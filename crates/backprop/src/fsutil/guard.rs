//! The checks made before an output path is claimed or replaced, so that
//! nothing a user keeps is lost:
//!
//! - only a regular file or a folder is ever replaced ([`check_kind`]): a
//!   device node, FIFO or socket given as `--out` is refused even with
//!   `--force` (replacing `/dev/null` would break the whole system);
//! - `--force` never replaces an input of the run, nor a folder holding one,
//!   symbolic links resolved ([`refuse_inputs`]), nor the working folder or
//!   one holding it (`--out .`, `--out ..`: [`refuse_working_folder`]);
//! - a run never writes inside a folder a live run is writing, and `--force`
//!   never deletes a folder holding a live run's folder ([`refuse_live_runs`]),
//!   nor one holding more files than a run folder ever does (the walk looking
//!   for live runs stops at a bound, and at a signal).
//!
//! A run is live while its `.NAME.lock` is `flock`ed (see [`super::RunLock`]);
//! a lock file left by a killed run is free and counts for nothing.

use std::fs::{self, File};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::Error;
use crate::setting::Setting;

const OUT: Setting = Setting::Out;
const FORCE: Setting = Setting::Force;

/// Refuses an existing `out` that is neither a regular file nor a folder
/// (symbolic links followed): a device, a FIFO or a socket is never replaced.
pub(crate) fn check_kind(out: &Path) -> Result<(), Error> {
    let Ok(meta) = fs::metadata(out) else {
        return Ok(());
    };
    if meta.is_file() || meta.is_dir() {
        return Ok(());
    }
    Err(Error::format(
        out,
        format!(
            "is not a regular file or folder (it is {}); choose another {OUT}",
            kind_name(&meta.file_type())
        ),
    ))
}

/// What a special file is, in words.
fn kind_name(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// Refuses replacing `out` when it is, or (a folder) holds, one of `inputs`.
/// Each input counts twice: where its symbolic links lead, and where the
/// link itself lies (deleting a user's link loses it too, and files found
/// beside an input, like IDX labels, lie beside the link).
pub(crate) fn refuse_inputs(out: &Path, inputs: &[PathBuf]) -> Result<(), Error> {
    let Ok(dir) = out.canonicalize() else {
        return Ok(());
    };
    let Some((input, place)) = inputs
        .iter()
        .find_map(|i| locations(i).find(|p| p.starts_with(&dir)).map(|p| (i, p)))
    else {
        return Ok(());
    };
    let message = if place == dir {
        format!("is an input of this run, so {FORCE} would replace it; choose another {OUT}")
    } else {
        // Reached through a link (or `..`), the input is named where it lies
        // in `out` (through `out` as written) and as the run reads it.
        let written = std::env::current_dir().map(|d| d.join(input)).ok();
        let held = if written.as_ref() == Some(&place) {
            input.display().to_string()
        } else {
            let lies = place
                .strip_prefix(&dir)
                .map_or(place.clone(), |p| out.join(p));
            format!("{} (read as {})", lies.display(), input.display())
        };
        format!(
            "holds {held}, an input of this run, so {FORCE} would delete it; choose another {OUT}"
        )
    };
    Err(Error::format(out, message))
}

/// Refuses replacing `out` when it is, or holds, the process's working
/// folder (`.`, `..`, `/`, or the same by another name): the swap into place
/// fails on it (EBUSY) after the whole run, and would delete where the user stands.
pub(crate) fn refuse_working_folder(out: &Path) -> Result<(), Error> {
    let here = std::env::current_dir().and_then(|d| d.canonicalize());
    let (Ok(dir), Ok(here)) = (out.canonicalize(), here) else {
        return Ok(());
    };
    if !here.starts_with(&dir) {
        return Ok(());
    }
    let what = if here == dir { "is" } else { "holds" };
    Err(Error::format(
        out,
        format!(
            "{what} the working folder ({}), which {FORCE} cannot replace; choose another {OUT} \
             (a new folder, e.g. one inside it)",
            here.display()
        ),
    ))
}

/// Where `path` is: its canonical target, and its own place (canonical
/// folder + its name); the two differ when it is a link.
fn locations(path: &Path) -> impl Iterator<Item = PathBuf> {
    let target = path.canonicalize().ok();
    let place = match (path.parent(), path.file_name()) {
        (Some(p), Some(n)) if !p.as_os_str().is_empty() => p.canonicalize().ok().map(|p| p.join(n)),
        (_, Some(n)) => std::env::current_dir().ok().map(|d| d.join(n)),
        _ => None,
    };
    target.into_iter().chain(place)
}

/// Refuses `out` when a live run writes a folder around it (its ancestors),
/// or, replacing it (`replacing`), inside it: the live run would lose its
/// folder or its lock. Names the live run's folder and process. Replacing a
/// folder of over [`MAX_ENTRIES`] entries is refused unwalked; a stop
/// request ends the walk with [`Error::Stopped`].
pub(crate) fn refuse_live_runs(out: &Path, replacing: bool) -> Result<(), Error> {
    let absolute = absolute(out);
    for folder in absolute.ancestors().skip(1) {
        if let Some(pid) = lock_beside(folder).and_then(|l| live_holder(&l)) {
            return Err(Error::format(
                out,
                format!(
                    "is inside {}, which another backprop run{pid} is writing; wait for it to end or choose another {OUT}",
                    folder.display()
                ),
            ));
        }
    }
    if !replacing || !absolute.is_dir() {
        return Ok(());
    }
    match live_lock_within(&absolute, crate::stop::flag(), MAX_ENTRIES)? {
        Within::Free => Ok(()),
        Within::Live(lock, pid) => Err(Error::format(
            out,
            format!(
                "holds {}, which another backprop run{pid} is writing, so {FORCE} would delete it; \
                 wait for it to end or choose another {OUT}",
                locked_folder(&lock).display()
            ),
        )),
        Within::TooMany => Err(Error::format(
            out,
            format!(
                "holds over {MAX_ENTRIES} files and folders, far more than a run folder, so {FORCE} \
                 will not delete it; choose another {OUT} (or remove it yourself)"
            ),
        )),
    }
}

/// `out` as an absolute path: its longest existing start canonicalised, the
/// rest (not made yet) appended as written.
fn absolute(out: &Path) -> PathBuf {
    let mut existing = out.to_path_buf();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            return rest.into_iter().rev().fold(c, |p, n: PathBuf| p.join(n));
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(p), Some(Component::Normal(n))) => {
                rest.push(PathBuf::from(n));
                existing = if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                };
            }
            _ => return out.to_path_buf(),
        }
    }
}

/// `Some(" (pid N)")` when another process's live run holds the run folder
/// `folder` (its `.NAME.lock` beside it is locked), made or not yet.
pub(crate) fn live_run_of(folder: &Path) -> Option<String> {
    lock_beside(folder).and_then(|l| live_holder(&l))
}

/// The lock file of the run folder `folder` (`.NAME.lock` beside it), if it exists.
fn lock_beside(folder: &Path) -> Option<PathBuf> {
    let name = folder.file_name()?.to_string_lossy();
    let lock = folder.parent()?.join(format!(".{name}.lock"));
    lock.is_file().then_some(lock)
}

/// The folder whose lock is `lock` (`DIR/.NAME.lock` → `DIR/NAME`).
fn locked_folder(lock: &Path) -> PathBuf {
    let name = lock.file_name().unwrap_or_default().to_string_lossy();
    let name = name.trim_start_matches('.').trim_end_matches(".lock");
    lock.with_file_name(name)
}

/// How many files and folders `--force` looks through before replacing a
/// folder: a run folder holds a handful, so a folder with more is not one (a
/// mistaken `--out ~`) and is refused rather than walked to its end.
const MAX_ENTRIES: usize = 100_000;

/// What [`live_lock_within`] found inside a folder.
#[derive(Debug)]
enum Within {
    /// No live run's lock.
    Free,
    /// The lock file a live run holds, with its holder (" (pid N)").
    Live(PathBuf, String),
    /// More than the bound of entries: not walked to the end.
    TooMany,
}

/// The first lock file inside the folder `dir` (at any depth, links not
/// followed) that a live run holds, with its holder. Looks at no more than
/// `limit` entries, and polls `stop` at each, so a signal ends a long walk
/// with [`Error::Stopped`].
fn live_lock_within(dir: &Path, stop: &AtomicBool, limit: usize) -> Result<Within, Error> {
    let mut folders = vec![dir.to_path_buf()];
    let mut seen = 0usize;
    while let Some(folder) = folders.pop() {
        for entry in fs::read_dir(&folder).into_iter().flatten().flatten() {
            if stop.load(Ordering::Relaxed) {
                return Err(Error::Stopped {
                    phase: format!("looking through {} for live runs", dir.display()),
                });
            }
            seen += 1;
            if seen > limit {
                return Ok(Within::TooMany);
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                folders.push(path);
            } else if kind.is_file() && is_lock_name(&entry.file_name().to_string_lossy()) {
                if let Some(pid) = live_holder(&path) {
                    return Ok(Within::Live(path, pid));
                }
            }
        }
    }
    Ok(Within::Free)
}

/// Whether a file name is a run folder's lock: `.NAME.lock`.
fn is_lock_name(name: &str) -> bool {
    name.len() >= ".x.lock".len() && name.starts_with('.') && name.ends_with(".lock")
}

/// `Some(" (pid N)")` (or `Some("")` without a pid) when another process
/// holds the lock file `lock`; `None` when it is free, or this process's.
/// The probe takes the free lock for an instant and lets it go.
fn live_holder(lock: &Path) -> Option<String> {
    if super::held_by_this_process(lock) {
        return None;
    }
    let mut file = File::open(lock).ok()?;
    match super::try_flock(&file) {
        Ok(false) => Some(super::holder(&mut file)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::fsutil::tests::tmp;

    #[test]
    fn a_fifo_is_never_replaced() {
        let d = tmp("fifo");
        let fifo = d.join("f");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = check_kind(&fifo).unwrap_err().to_string();
        assert!(
            e.contains("is not a regular file or folder (it is a FIFO)"),
            "{e}"
        );
        assert!(check_kind(&d).is_ok() && check_kind(&d.join("new")).is_ok());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn an_input_reached_through_a_link_counts() {
        let d = tmp("links").canonicalize().unwrap();
        fs::create_dir_all(d.join("victim")).unwrap();
        fs::create_dir_all(d.join("data")).unwrap();
        fs::write(d.join("victim/r1.png"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("victim/r1.png"), d.join("data/r1.png")).unwrap();
        let victim = d.join("victim");
        let e = refuse_inputs(&victim, &[d.join("data/r1.png")]).unwrap_err();
        let both = format!(
            "holds {} (read as {}), an input of this run",
            victim.join("r1.png").display(),
            d.join("data/r1.png").display()
        );
        assert!(e.to_string().contains(&both), "{e}");
        // A link in `victim` to a file outside it: deleting it loses the
        // user's link. It lies where it is read, so it is named once.
        fs::write(d.join("data/own.png"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("data/own.png"), d.join("victim/link.png")).unwrap();
        let e = refuse_inputs(&victim, &[d.join("victim/link.png")]).unwrap_err();
        let once = format!("holds {}, an input", victim.join("link.png").display());
        assert!(e.to_string().contains(&once), "{e}");
        assert!(refuse_inputs(&victim, &[d.join("data/own.png")]).is_ok());
        assert!(refuse_inputs(&d.join("data"), &[d.join("victim/r1.png")]).is_ok());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn the_live_run_walk_stops_on_a_signal_and_at_its_bound() {
        let d = tmp("walk").canonicalize().unwrap();
        fs::create_dir_all(d.join("a/b")).unwrap();
        for name in ["x", "a/y", "a/b/z"] {
            fs::write(d.join(name), "x").unwrap();
        }
        let free = AtomicBool::new(false);
        assert!(matches!(live_lock_within(&d, &free, 5), Ok(Within::Free)));
        assert!(matches!(
            live_lock_within(&d, &free, 4),
            Ok(Within::TooMany)
        ));
        // Its own flag, set: the walk ends at its first entry (the process's
        // flag would stop the other tests' phases).
        let stopped = AtomicBool::new(true);
        let e = live_lock_within(&d, &stopped, 5).unwrap_err();
        let phase = format!("looking through {} for live runs", d.display());
        assert!(
            matches!(&e, Error::Stopped { phase: p } if *p == phase),
            "{e}"
        );
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn absolute_paths_keep_the_part_not_made_yet() {
        let d = tmp("absolute").canonicalize().unwrap();
        assert_eq!(absolute(&d.join("a/b")), d.join("a/b"));
        assert_eq!(locked_folder(&d.join(".run.lock")), d.join("run"));
        assert!(is_lock_name(".a.lock") && !is_lock_name(".lock") && !is_lock_name("a.lock"));
        fs::remove_dir_all(&d).unwrap();
    }
}
