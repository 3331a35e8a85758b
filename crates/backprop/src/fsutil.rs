//! Writes that never leave a half-written file or folder behind, and never
//! lose one.
//!
//! - A file is written to a temporary name beside its target and renamed over it.
//! - A run folder is filled under a temporary name (`.NAME.tmp-PID`) and
//!   swapped into place in one step ([`RunDir::commit`]: `renameat2` with
//!   `RENAME_EXCHANGE` on Linux), so readers see the old folder or the new one.
//! - While a run writes a folder it holds its lock ([`RunLock`]: `.NAME.lock`
//!   beside it, an advisory `flock` the kernel drops when the process dies): a
//!   second run to the same place is refused while the first lives, and the
//!   next run to that place removes what a killed one left (`.NAME.tmp-*`,
//!   `.NAME.old-*`, temporary files inside the folder).
//! - `--force` never replaces a folder that holds an input of the run, a
//!   device or FIFO is never replaced, and no run writes inside (or deletes)
//!   another live run's folder ([`claim_out`], checks in `guard`).

use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::Error;
use crate::setting::Setting;

mod guard;

pub(crate) use guard::live_run_of;

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = sibling(path, "tmp");
    fs::write(&tmp, bytes).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(&tmp, e)
    })?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// A hidden name beside `path`, unique to this process: `.NAME.KIND-PID`.
fn sibling(path: &Path, kind: &str) -> PathBuf {
    path.with_file_name(format!(
        ".{}.{kind}-{}",
        file_name(path),
        std::process::id()
    ))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into())
}

/// Claims `out` for a run: refuses it if it exists and `force` is not given,
/// if it is not a regular file or folder, if `--force` would delete one of
/// `inputs` (every file the run reads), if a live run writes a folder around
/// it or (replacing it) inside it; then takes its [`RunLock`] (refused while
/// another run writes it). Keep the lock until the run folder is committed.
pub fn claim_out(out: &Path, force: bool, inputs: &[PathBuf]) -> Result<RunLock, Error> {
    check_replaceable(out, force, inputs)?;
    guard::refuse_live_runs(out, force)?;
    RunLock::acquire(out)
}

/// Refuses replacing `out` (a file or a folder) unless `force`, and even then
/// when it is not a regular file or folder, or is or holds one of `inputs`
/// or the working folder.
pub(crate) fn check_replaceable(out: &Path, force: bool, inputs: &[PathBuf]) -> Result<(), Error> {
    guard::check_kind(out)?;
    if !out.exists() {
        return Ok(());
    }
    if !force {
        return Err(Error::format(
            out,
            format!(
                "already exists; choose another {} or pass {} to replace it",
                Setting::Out,
                Setting::Force
            ),
        ));
    }
    guard::refuse_inputs(out, inputs)?;
    guard::refuse_working_folder(out)
}

/// Claims a fresh run folder named `base`, or `base-2`, `base-3`, … when that
/// exists or another run holds it: two runs started in the same second get
/// different folders. Returns the folder and its lock.
pub fn claim_fresh(base: &Path) -> Result<(PathBuf, RunLock), Error> {
    for n in 1..10_000u32 {
        let candidate = if n == 1 {
            base.to_path_buf()
        } else {
            base.with_file_name(format!("{}-{n}", file_name(base)))
        };
        if candidate.exists() || RunLock::held_here(&candidate) {
            continue;
        }
        match RunLock::acquire(&candidate) {
            Ok(lock) if !candidate.exists() => return Ok((candidate, lock)),
            Ok(_) => continue,
            Err(Error::Format { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(Error::format(
        base,
        format!(
            "and 9999 numbered folders beside it are taken; choose {}",
            Setting::Out
        ),
    ))
}

/// Locks held by this process: (lock file path, its open file, holders).
/// A run takes its folder's lock at the start and the run folder writer takes
/// it again at the end; both share the one `flock`.
static HELD: Mutex<Vec<(PathBuf, File, usize)>> = Mutex::new(Vec::new());

/// The lock of a run folder, held while a run writes it: `.NAME.lock` beside
/// the folder, holding the writer's process id. Dropped by its last holder in
/// this process, the lock file is removed; a killed process's lock is released
/// by the kernel and its file reused (and then removed) by the next run.
#[derive(Debug)]
#[must_use = "the run folder is locked only while the RunLock lives"]
pub struct RunLock {
    lock: PathBuf,
    /// A parent folder this lock created, removed again if left empty.
    created: Option<PathBuf>,
}

impl RunLock {
    /// Locks the run folder `target` (which need not exist yet), creating its
    /// parent folder if needed, and removes what killed runs left beside it.
    pub(crate) fn acquire(target: &Path) -> Result<RunLock, Error> {
        let parent = parent_of(target);
        let created = if parent.exists() {
            None
        } else {
            let top = first_missing(&parent);
            fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
            Some(top)
        };
        let result = lock_path(&parent, target).and_then(|lock| {
            let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = held.iter_mut().find(|(p, _, _)| *p == lock) {
                entry.2 += 1;
                return Ok(lock);
            }
            let file = take_lock(&lock, target)?;
            remove_stale(target);
            held.push((lock.clone(), file, 1));
            Ok(lock)
        });
        match result {
            Ok(lock) => Ok(RunLock { lock, created }),
            Err(e) => {
                if let Some(top) = &created {
                    let _ = remove_empty_up_to(&parent, top);
                }
                Err(e)
            }
        }
    }

    /// Whether this process holds the lock of `target` already.
    fn held_here(target: &Path) -> bool {
        let Ok(lock) = lock_path(&parent_of(target), target) else {
            return false;
        };
        held_by_this_process(&lock)
    }
}

/// The folder `target` is in ("." for a bare name).
fn parent_of(target: &Path) -> PathBuf {
    match target.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("."),
    }
}

/// `.NAME.lock` in the (existing) folder `parent`, as an absolute path.
fn lock_path(parent: &Path, target: &Path) -> Result<PathBuf, Error> {
    Ok(parent
        .canonicalize()
        .map_err(|e| Error::io(parent, e))?
        .join(format!(".{}.lock", file_name(target))))
}

/// Opens `lock` and takes its `flock` without waiting, writing our pid into it.
fn take_lock(lock: &Path, target: &Path) -> Result<File, Error> {
    loop {
        let mut file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(lock)
            .map_err(|e| Error::io(lock, e))?;
        match try_flock(&file) {
            Ok(true) => {}
            Ok(false) => {
                let who = holder(&mut file);
                return Err(Error::format(
                    target,
                    format!(
                        "another backprop run{who} is writing it; wait for it to end or choose another {}",
                        Setting::Out
                    ),
                ));
            }
            Err(e) => return Err(Error::io(lock, e)),
        }
        // The previous holder may have removed the file after we opened it:
        // the lock counts only on the file that is still at the path.
        let same = match (file.metadata(), fs::metadata(lock)) {
            (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
            _ => false,
        };
        if same {
            let _ = file.set_len(0);
            let _ = file.rewind();
            let _ = write!(file, "{}", std::process::id());
            return Ok(file);
        }
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = held.iter().position(|(p, _, _)| *p == self.lock) {
            held[i].2 -= 1;
            if held[i].2 == 0 {
                // Remove the file while still holding its lock, then release it.
                let _ = fs::remove_file(&self.lock);
                held.swap_remove(i);
            }
        }
        if let Some(top) = &self.created {
            if let Some(parent) = self.lock.parent() {
                let _ = remove_empty_up_to(parent, top);
            }
        }
    }
}

/// The outermost missing folder on the way to `dir`.
fn first_missing(dir: &Path) -> PathBuf {
    let mut top = dir.to_path_buf();
    while let Some(p) = top
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && !p.exists())
    {
        top = p.to_path_buf();
    }
    top
}

/// " (pid N)" from a held lock file's contents, or "" when it holds none.
fn holder(file: &mut File) -> String {
    let mut pid = String::new();
    let _ = file.read_to_string(&mut pid);
    match pid.trim() {
        "" => String::new(),
        p => format!(" (pid {p})"),
    }
}

/// Whether this process holds the lock file `lock` (an absolute path).
fn held_by_this_process(lock: &Path) -> bool {
    let held = HELD.lock().unwrap_or_else(|p| p.into_inner());
    held.iter().any(|(p, _, _)| p == lock)
}

/// Takes an exclusive `flock` on `file` without waiting: `Ok(false)` when
/// another process holds it.
fn try_flock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor this `File` owns and keeps open.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.kind() == std::io::ErrorKind::WouldBlock {
        Ok(false)
    } else {
        Err(e)
    }
}

/// Removes `dir` and its parents up to `top` while they are empty.
fn remove_empty_up_to(dir: &Path, top: &Path) -> std::io::Result<()> {
    let top = top.canonicalize().unwrap_or_else(|_| top.to_path_buf());
    let mut d = dir.canonicalize()?;
    loop {
        fs::remove_dir(&d)?;
        if d == top || !d.starts_with(&top) {
            return Ok(());
        }
        match d.parent() {
            Some(p) => d = p.to_path_buf(),
            None => return Ok(()),
        }
    }
}

/// Removes what killed runs left: `.NAME.tmp-PID` and `.NAME.old-PID` beside
/// `target` and hidden `.*.tmp-PID` files inside it, of other processes.
/// Called with the lock held, so no live run is writing them.
fn remove_stale(target: &Path) {
    let name = file_name(target);
    let own = format!("-{}", std::process::id());
    let stale = |n: &str, prefix: &str| {
        n.starts_with(prefix) && (n.contains(".tmp-") || n.contains(".old-")) && !n.ends_with(&own)
    };
    let parent = parent_of(target);
    let prefix = format!(".{name}.");
    for entry in fs::read_dir(&parent).into_iter().flatten().flatten() {
        let n = entry.file_name().to_string_lossy().into_owned();
        if stale(&n, &prefix) {
            remove_any(&entry.path());
        }
    }
    if target.is_dir() {
        for entry in fs::read_dir(target).into_iter().flatten().flatten() {
            let n = entry.file_name().to_string_lossy().into_owned();
            if stale(&n, ".") {
                remove_any(&entry.path());
            }
        }
    }
}

/// Removes a file or a folder (a symbolic link itself, never what it points to).
fn remove_any(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// A run folder being written: files go into a temporary folder, which
/// [`RunDir::commit`] moves to the final path. Dropped uncommitted, it is
/// removed. It holds the folder's [`RunLock`] from creation to commit.
#[derive(Debug)]
pub struct RunDir {
    target: PathBuf,
    staging: PathBuf,
    force: bool,
    committed: bool,
    _lock: RunLock,
}

impl RunDir {
    /// Starts a run folder at `target`. Refuses an existing `target` unless
    /// `force`, and a `target` another run is writing.
    pub fn create(target: &Path, force: bool) -> Result<Self, Error> {
        let lock = claim_out(target, force, &[])?;
        let staging = sibling(target, "tmp");
        if staging.exists() {
            remove_any(&staging);
        }
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(RunDir {
            target: target.to_path_buf(),
            staging,
            force,
            committed: false,
            _lock: lock,
        })
    }

    /// The path a file named `name` is written to before the commit.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Moves the finished folder into place. When forced over an existing
    /// folder or file, the two are swapped in one step where the system allows
    /// (Linux `RENAME_EXCHANGE`) and the old one is then removed; elsewhere
    /// the old one is first moved aside.
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let replacing = self.force && fs::symlink_metadata(&self.target).is_ok();
        if !replacing {
            fs::rename(&self.staging, &self.target).map_err(|e| Error::io(&self.target, e))?;
        } else if exchange(&self.staging, &self.target).is_ok() {
            // The old folder (or file) is now at the staging path.
            remove_any(&self.staging);
        } else {
            let old = sibling(&self.target, "old");
            fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
            if let Err(e) = fs::rename(&self.staging, &self.target) {
                let _ = fs::rename(&old, &self.target);
                return Err(Error::io(&self.target, e));
            }
            remove_any(&old);
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committed {
            remove_any(&self.staging);
        }
    }
}

/// Swaps two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// No atomic swap here: [`RunDir::commit`] moves the old folder aside first.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh temporary folder for one test (also `guard`'s tests).
    pub(super) fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("backprop-fsutil-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn forcing_over_a_file_leaves_only_the_new_folder() {
        let d = tmp("file");
        fs::write(d.join("f"), "old").unwrap();
        let run = RunDir::create(&d.join("f"), true).unwrap();
        fs::write(run.path("metrics.json"), "{}").unwrap();
        run.commit().unwrap();
        assert_eq!(names(&d), ["f"]);
        assert_eq!(names(&d.join("f")), ["metrics.json"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn forcing_over_a_folder_swaps_it_whole() {
        let d = tmp("swap");
        fs::create_dir(d.join("run")).unwrap();
        fs::write(d.join("run/old.txt"), "old").unwrap();
        let run = RunDir::create(&d.join("run"), true).unwrap();
        fs::write(run.path("new.txt"), "new").unwrap();
        run.commit().unwrap();
        assert_eq!(names(&d), ["run"]);
        assert_eq!(names(&d.join("run")), ["new.txt"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_held_lock_is_shared_within_the_process_and_removed_by_the_last_holder() {
        let d = tmp("lock");
        let a = RunLock::acquire(&d.join("run")).unwrap();
        let b = RunLock::acquire(&d.join("run")).unwrap();
        assert_eq!(names(&d), [".run.lock"]);
        drop(a);
        assert_eq!(names(&d), [".run.lock"]);
        drop(b);
        assert!(names(&d).is_empty());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn stale_temporaries_of_dead_runs_are_removed_by_the_next_run() {
        let d = tmp("stale");
        fs::create_dir(d.join(".run.tmp-999999999")).unwrap();
        fs::write(d.join(".run.old-999999998"), "x").unwrap();
        fs::write(d.join(".other.tmp-999999999"), "keep").unwrap();
        fs::create_dir(d.join("run")).unwrap();
        fs::write(d.join("run/.checkpoint.json.tmp-999999997"), "x").unwrap();
        fs::write(d.join("run/checkpoint.json"), "keep").unwrap();
        let lock = RunLock::acquire(&d.join("run")).unwrap();
        drop(lock);
        assert_eq!(names(&d), [".other.tmp-999999999", "run"]);
        assert_eq!(names(&d.join("run")), ["checkpoint.json"]);
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn force_never_replaces_a_folder_holding_an_input() {
        let d = tmp("inputs");
        fs::create_dir(d.join("data")).unwrap();
        fs::write(d.join("data/train.csv"), "x,label\n").unwrap();
        let e = claim_out(&d.join("data"), true, &[d.join("data/train.csv")]).unwrap_err();
        assert!(e.to_string().contains("an input of this run"), "{e}");
        assert!(d.join("data/train.csv").is_file());
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn fresh_names_skip_taken_ones() {
        let d = tmp("fresh");
        let (a, _la) = claim_fresh(&d.join("runs/train-1")).unwrap();
        let (b, _lb) = claim_fresh(&d.join("runs/train-1")).unwrap();
        assert_eq!(a, d.join("runs/train-1"));
        assert_eq!(b, d.join("runs/train-1-2"));
        drop((_la, _lb));
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_lock_that_creates_its_parent_removes_it_again() {
        let d = tmp("parent");
        let lock = RunLock::acquire(&d.join("a/b/run")).unwrap();
        assert!(d.join("a/b").is_dir());
        drop(lock);
        assert!(names(&d).is_empty());
        fs::remove_dir_all(&d).unwrap();
    }
}
