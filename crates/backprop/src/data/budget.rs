//! The memory budget: every size that comes from input (array headers,
//! decompressed sizes, picture dimensions, layer sizes, class counts) is
//! checked against it, with checked arithmetic, *before* anything is allocated,
//! so a 128-byte file that claims 10¹² elements is refused with one line instead
//! of aborting on "memory allocation failed".
//!
//! The budget is, by default, the smallest of the memory available now
//! (`MemAvailable` in `/proc/meminfo`), the process's address-space limit
//! (`RLIMIT_AS`, from `/proc/self/limits`) and its cgroup's limit (v2
//! `memory.max`, v1 `memory.limit_in_bytes`); [`set_max_memory`] (the CLI's
//! `--max-memory 2G`) replaces it for the whole process.
//!
//! ```
//! use backprop::data::budget::{self, Budget};
//!
//! let b = Budget::with_limit(1 << 30); // 1 GiB
//! assert!(b.check("x.npy: the array", 1 << 20).is_ok());
//! let e = b.check_array("x.npy: the array", &[1_000_000, 1_000_000], 8).unwrap_err();
//! assert!(e.to_string().contains("x.npy: the array would take 8 TB"));
//! assert_eq!(budget::parse_size("2G"), Ok(2_000_000_000));
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::Error;
use crate::setting::{mark, Setting};

/// `--max-memory`, in bytes; 0 while unset (then the budget is detected).
static MAX_MEMORY: AtomicU64 = AtomicU64::new(0);

/// Sets (`Some`) or clears (`None`: detect again) the process-wide budget.
pub fn set_max_memory(bytes: Option<u64>) {
    MAX_MEMORY.store(bytes.unwrap_or(0), Ordering::SeqCst);
}

/// The budget in force: `--max-memory` if set, else the detected one.
pub fn current() -> Budget {
    match MAX_MEMORY.load(Ordering::SeqCst) {
        0 => Budget::detect(),
        bytes => Budget {
            bytes,
            origin: Origin::Flag,
        },
    }
}

/// [`Budget::check`] against the [`current`] budget.
pub fn check(what: &str, bytes: u128) -> Result<(), Error> {
    current().check(what, bytes)
}

/// [`Budget::check_array`] against the [`current`] budget.
pub fn check_array(what: &str, dims: &[u64], element_bytes: u64) -> Result<usize, Error> {
    current().check_array(what, dims, element_bytes)
}

/// Checks that a network of layer `sizes` can train on `m` examples with
/// `element_bytes`-byte numbers: per layer W, dW and two optimiser moments
/// (4·n\[l\]·(n\[l-1\] + 1)) and the caches Z, A, dZ (3·n\[l\]·m), plus X and Y
/// in the network's type. The message names the hidden layers' setting and the sizes.
pub fn check_network(sizes: &[usize], m: usize, element_bytes: usize) -> Result<(), Error> {
    let (m, e) = (m as u128, element_bytes as u128);
    let layer = |prev: u128, n: u128| -> Option<u128> {
        n.checked_mul(prev.checked_add(1)?)?
            .checked_mul(4)?
            .checked_add(n.checked_mul(m)?.checked_mul(3)?)
    };
    let total = sizes.windows(2).try_fold(0u128, |t, w| {
        t.checked_add(layer(w[0] as u128, w[1] as u128)?)
    });
    let data = (sizes.first().copied().unwrap_or(0) as u128 + 1).checked_mul(m);
    let bytes = total
        .zip(data)
        .and_then(|(t, d)| t.checked_add(d))
        .and_then(|t| t.checked_mul(e));
    let what = format!(
        "a network of layers {sizes:?} (the data's features, {}, the outputs) training on {m} examples",
        Setting::Hidden
    );
    match bytes {
        Some(b) => check(&what, b),
        None => Err(over(&what, &current())),
    }
}

/// Where a budget's figure came from (named in over-budget messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `MemAvailable` in /proc/meminfo.
    Available,
    /// The process's address-space limit (`ulimit -v`, `prlimit --as`).
    AddressSpace,
    /// The cgroup's memory limit (a container's `--memory`).
    Cgroup,
    /// `--max-memory` ([`set_max_memory`]).
    Flag,
    /// Nothing could be read: no limit.
    Unlimited,
}

impl Origin {
    fn describe(self) -> &'static str {
        match self {
            Origin::Available => "the memory available now",
            Origin::AddressSpace => "the process's address-space limit (ulimit -v)",
            Origin::Cgroup => "the cgroup's memory limit",
            Origin::Flag => mark!("max_memory"),
            Origin::Unlimited => "no limit",
        }
    }
}

/// A number of bytes that work may use, and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    bytes: u64,
    origin: Origin,
}

impl Budget {
    /// A fixed budget, as `--max-memory` gives.
    pub fn with_limit(bytes: u64) -> Budget {
        Budget {
            bytes,
            origin: Origin::Flag,
        }
    }

    /// The smallest of available memory, `RLIMIT_AS` and the cgroup limit.
    pub fn detect() -> Budget {
        let candidates = [
            (meminfo_available(), Origin::Available),
            (address_space_limit(), Origin::AddressSpace),
            (cgroup_limit(), Origin::Cgroup),
        ];
        candidates
            .into_iter()
            .filter_map(|(b, o)| b.map(|bytes| Budget { bytes, origin: o }))
            .min_by_key(|b| b.bytes)
            .unwrap_or(Budget {
                bytes: u64::MAX,
                origin: Origin::Unlimited,
            })
    }

    /// The budget in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Where the figure came from.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The budget for people: "22 GB (the memory available now)".
    pub fn describe(&self) -> String {
        format!(
            "{} ({})",
            format_bytes(u128::from(self.bytes)),
            self.origin.describe()
        )
    }

    /// Refuses `bytes` over the budget with one line: "`what` would take
    /// 7.2 GB, over the memory budget of 3.9 GB (the memory available now);
    /// …". `what` names the file or setting (and the array) the size came from.
    pub fn check(&self, what: &str, bytes: u128) -> Result<(), Error> {
        if bytes <= u128::from(self.bytes) {
            return Ok(());
        }
        Err(Error::OverBudget(format!(
            "{what} would take {}, over the memory budget of {} ({}); \
             if that is right, raise the budget with {m} (e.g. 64G)",
            format_bytes(bytes),
            format_bytes(u128::from(self.bytes)),
            self.origin.describe(),
            m = Setting::MaxMemory
        )))
    }

    /// Checks an array of `dims` elements of `element_bytes` each (overflow
    /// counts as over budget) and returns its element count.
    pub fn check_array(
        &self,
        what: &str,
        dims: &[u64],
        element_bytes: u64,
    ) -> Result<usize, Error> {
        let count = checked_product(dims);
        let bytes = count.and_then(|c| c.checked_mul(u128::from(element_bytes)));
        match bytes {
            Some(b) => {
                self.check(what, b)?;
                // Within a u64 budget, so within usize on 64-bit targets.
                usize::try_from(count.unwrap_or(0)).map_err(|_| over(what, self))
            }
            None => Err(over(what, self)),
        }
    }
}

/// The error for a size too large to even compute.
fn over(what: &str, b: &Budget) -> Error {
    Error::OverBudget(format!(
        "{what} would take more than 10^38 bytes (its sizes overflow), over the memory \
         budget of {} ({})",
        format_bytes(u128::from(b.bytes)),
        b.origin.describe()
    ))
}

/// The product of `dims` in u128, `None` on overflow.
pub fn checked_product(dims: &[u64]) -> Option<u128> {
    dims.iter()
        .try_fold(1u128, |a, &d| a.checked_mul(u128::from(d)))
}

/// Bytes for people: "512 B", "1.9 MB", "7.2 GB", "8 TB" (powers of 1000).
pub fn format_bytes(bytes: u128) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u + 1 < UNITS.len() {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 || v >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Parses a size as `--max-memory` takes it: bytes ("1000000"), or a number
/// with a unit: k/M/G/T (powers of 1000) or Ki/Mi/Gi/Ti (powers of 1024),
/// optionally followed by "B" ("2G", "512MiB", "1.5GB").
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{s}' is not a size; write it like 2G, 512M or 1500000000"))?;
    let unit = unit.trim();
    let unit = unit.strip_suffix(['B', 'b']).unwrap_or(unit);
    let factor: f64 = match unit {
        "" => 1.0,
        "k" | "K" => 1e3,
        "M" | "m" => 1e6,
        "G" | "g" => 1e9,
        "T" | "t" => 1e12,
        "Ki" | "ki" => 1024.0,
        "Mi" | "mi" => 1024.0 * 1024.0,
        "Gi" | "gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" | "ti" => 1024.0_f64.powi(4),
        _ => {
            return Err(format!(
                "'{s}' has an unknown unit; use k, M, G, T (or Ki, Mi, Gi, Ti)"
            ))
        }
    };
    let bytes = value * factor;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("'{s}' is not a usable size (at least 1 byte)"));
    }
    Ok(bytes as u64)
}

/// `MemAvailable` of /proc/meminfo, in bytes.
fn meminfo_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// What is left of the soft `RLIMIT_AS` (from /proc/self/limits) beside the
/// address space this process already maps (`VmSize`), in bytes.
fn address_space_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max address space"))?;
    // "Max address space  <soft>  <hard>  bytes"
    let soft: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let used_kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmSize:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    Some(soft.saturating_sub(used_kb.saturating_mul(1024)))
}

/// What is left of the cgroup's memory limit (v2 `memory.max` less
/// `memory.current` of this process's cgroup or the root's, else v1
/// `memory.limit_in_bytes` less `memory.usage_in_bytes`); `None` when unlimited.
fn cgroup_limit() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("0::").map(|p| p.trim().to_string()))
        });
    let mut pairs = Vec::new();
    if let Some(p) = own {
        pairs.push((
            format!("/sys/fs/cgroup{p}/memory.max"),
            format!("/sys/fs/cgroup{p}/memory.current"),
        ));
    }
    pairs.push((
        "/sys/fs/cgroup/memory.max".into(),
        "/sys/fs/cgroup/memory.current".into(),
    ));
    pairs.push((
        "/sys/fs/cgroup/memory/memory.limit_in_bytes".into(),
        "/sys/fs/cgroup/memory/memory.usage_in_bytes".into(),
    ));
    let read = |p: &str| std::fs::read_to_string(p).ok()?.trim().parse::<u64>().ok();
    pairs.iter().find_map(|(max, current)| {
        // v2 says "max" for none; v1 says a huge number (≥ 2^62) for none.
        let limit = read(max).filter(|&b| b < (1 << 62))?;
        Some(limit.saturating_sub(read(current).unwrap_or(0)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_both_unit_systems() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("2G"), Ok(2_000_000_000));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("512Mi"), Ok(512 << 20));
        assert_eq!(parse_size("1.5k"), Ok(1500));
        assert_eq!(parse_size("4GiB"), Ok(4 << 30));
        assert!(parse_size("").is_err());
        assert!(parse_size("-1G").is_err());
        assert!(parse_size("0").is_err());
        assert!(parse_size("2X").is_err());
        assert!(parse_size("1e400").is_err());
    }

    #[test]
    fn over_budget_names_what_and_both_sizes() {
        let b = Budget::with_limit(1_000_000);
        assert!(b.check("f", 1_000_000).is_ok());
        let e = b.check("x.npy: array 'x'", 7_200_000_000).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.npy: array 'x' would take 7.2 GB, over the memory budget of 1 MB (max_memory); \
             if that is right, raise the budget with max_memory (e.g. 64G)"
        );
        let flag = |s: Setting| format!("--{}", s.key().replace('_', "-"));
        assert!(e.render(&flag).ends_with(
            "1 MB (--max-memory); if that is right, raise the budget with --max-memory (e.g. 64G)"
        ));
    }

    #[test]
    fn overflowing_shapes_are_over_budget_not_a_panic() {
        let b = Budget::with_limit(u64::MAX);
        let e = b
            .check_array(&Setting::Hidden.mark(), &[u64::MAX, u64::MAX, u64::MAX], 8)
            .unwrap_err();
        assert!(e.to_string().contains("hidden would take more than"), "{e}");
        assert_eq!(b.check_array("a", &[3, 4], 8).unwrap(), 12);
        assert_eq!(b.check_array("a", &[], 8).unwrap(), 1);
    }

    #[test]
    fn the_detected_budget_is_at_most_the_available_memory() {
        let b = Budget::detect();
        if let Some(avail) = meminfo_available() {
            assert!(b.bytes() <= avail);
        }
        assert!(b.bytes() > 0);
    }

    #[test]
    fn bytes_print_readably() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1_900_000), "1.9 MB");
        assert_eq!(format_bytes(8_000_000_000_000), "8 TB");
        assert_eq!(format_bytes(123_456_789), "123 MB");
    }
}
