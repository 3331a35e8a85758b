//! Writes that never leave a half-written file or folder behind.
//!
//! A file is written to a temporary name beside its target and renamed over
//! it; a run folder is filled under a temporary name and renamed into place
//! only when everything in it is written.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let tmp = sibling(path, "tmp");
    fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// A hidden name beside `path`, unique to this process: `.NAME.KIND-PID`.
fn sibling(path: &Path, kind: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.{kind}-{}", std::process::id()))
}

/// A run folder being written: files go into a temporary folder, which
/// [`RunDir::commit`] renames to the final path. Dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct RunDir {
    target: PathBuf,
    staging: PathBuf,
    force: bool,
    committed: bool,
}

impl RunDir {
    /// Starts a run folder at `target`. Refuses an existing `target` unless `force`.
    pub fn create(target: &Path, force: bool) -> Result<Self, Error> {
        if target.exists() && !force {
            return Err(Error::format(
                target,
                "already exists; choose another --out or pass --force to replace it",
            ));
        }
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let staging = sibling(target, "tmp");
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
        }
        fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        Ok(RunDir {
            target: target.to_path_buf(),
            staging,
            force,
            committed: false,
        })
    }

    /// The path a file named `name` is written to before the commit.
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The folder's final path.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the finished folder into place (replacing an old one when forced).
    pub fn commit(mut self) -> Result<PathBuf, Error> {
        let old = sibling(&self.target, "old");
        let replacing = self.force && self.target.exists();
        if replacing {
            fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if replacing {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(Error::io(&self.target, e));
        }
        if replacing {
            let _ = fs::remove_dir_all(&old);
        }
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}
