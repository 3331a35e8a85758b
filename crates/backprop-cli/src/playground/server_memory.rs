//! The server's memory as one budget. An upload being read, an upload kept
//! and a run each reserve their bytes here before they are allocated and
//! give them back when they end ([`Reservation`]'s drop); a request that does
//! not fit is refused with a JSON error naming the budget: 503 while uploads
//! and runs hold the room (it fits once they end), 413 when it could never fit.
//!
//! The budget is the library's: `--max-memory`, else the smallest of the
//! memory available, the address-space limit (`ulimit -v`, `prlimit --as`)
//! and the cgroup's limit, read when the server starts, less what the server
//! itself takes before any request. Under an address-space limit everything is
//! counted as address space (thread stacks, malloc arenas and the product
//! kernels' packing space, which are reserved whether used or not); under any
//! other budget, as resident memory.

use std::sync::{Arc, Mutex, MutexGuard};

use backprop::data::budget::{self, format_bytes, Budget, Origin};
use backprop::Setting;

use super::names;

/// glibc's malloc arenas the server keeps ([`limit_arenas`]): each reserves
/// 64 MiB of address space, and glibc would make 8 a core.
const ARENAS: u64 = 4;
/// Address space each request thread may take besides its reservations:
/// its 2 MiB stack, the head, the 64 KB upload buffer.
const REQUEST_SPACE: u64 = 3 << 20;
/// Resident memory each request thread may take besides its reservations.
const REQUEST_RESIDENT: u64 = 256 << 10;
/// A run's threads besides its arrays, as address space: the product
/// kernels' packing space (2 × 32 MiB), the training and stream threads'
/// stacks, the events (docs/RELIABILITY.md, "Address space per training thread").
const RUN_SPACE: u64 = 72 << 20;
/// The same as resident memory (the packing space is mostly untouched).
const RUN_RESIDENT: u64 = 8 << 20;
/// Bytes the library's CSV reader takes while it reads a file, per byte of
/// the file (measured: 29.5 MB of peak for a 8.7 MB upload of 20 000 × 48).
const READ_FACTOR: u64 = 4;

/// The budget, and what is reserved from it.
pub struct Memory {
    /// The bytes uploads and runs may reserve together.
    limit: u64,
    /// The server's own share, taken from the budget before `limit`.
    own: u64,
    budget: Budget,
    /// Whether sizes are counted as address space (the budget is `RLIMIT_AS`).
    space: bool,
    used: Mutex<u64>,
}

/// Bytes reserved from the [`Memory`], given back when dropped.
pub struct Reservation {
    memory: Arc<Memory>,
    bytes: u64,
}

impl Memory {
    /// The budget in force now, less the server's own share: its memory now
    /// and what `max_requests` request threads may take besides reservations.
    pub fn new(max_requests: usize) -> Arc<Memory> {
        let budget = budget::current();
        let space = budget.origin() == Origin::AddressSpace;
        let own = if space {
            status_bytes("VmSize") + ARENAS * (64 << 20) + max_requests as u64 * REQUEST_SPACE
        } else {
            status_bytes("VmRSS") + max_requests as u64 * REQUEST_RESIDENT
        };
        Arc::new(Memory {
            limit: budget.bytes().saturating_sub(own),
            own,
            budget,
            space,
            used: Mutex::new(0),
        })
    }

    /// Reserves `bytes` for `what` ("this upload", "this run"), or says why
    /// not, in the playground's words.
    pub fn reserve(
        self: &Arc<Memory>,
        what: &str,
        bytes: u64,
    ) -> Result<Reservation, (u16, String)> {
        let mut used = self.used();
        if used.saturating_add(bytes) <= self.limit {
            *used += bytes;
            return Ok(Reservation {
                memory: Arc::clone(self),
                bytes,
            });
        }
        let budget = self.budget.describe();
        let need = format_bytes(bytes.into());
        let (status, message) = if bytes > self.limit {
            let own = format_bytes(self.own.into());
            let m = Setting::MaxMemory;
            (
                413,
                format!(
                    "{what} would take {need}, more than the server's memory budget of {budget} \
                 leaves after the server's own {own}; raise {m}"
                ),
            )
        } else {
            let (taken, room) = (
                format_bytes((*used).into()),
                format_bytes(self.limit.into()),
            );
            (
                503,
                format!(
                "{what} would take {need}, and uploads and runs hold {taken} of the {room} the \
                 server's memory budget of {budget} leaves them; stop a run, or try again when \
                 one ends"
            ),
            )
        };
        Err((status, Setting::render(&message, &names::name)))
    }

    /// The bytes reserved (a poisoned lock still holds a good count).
    fn used(&self) -> MutexGuard<'_, u64> {
        self.used.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The reservation for reading an upload of `body` bytes with the library's reader.
    pub fn reading(&self, body: u64) -> u64 {
        body.saturating_mul(READ_FACTOR) + (1 << 20)
    }

    /// The reservation for a run on `m` examples of `n` features, with
    /// `hidden` layers and `outputs` output units: the run's threads, its
    /// data (the upload's copy, the split, the float copies: 4 × X) and,
    /// per layer, W, dW and two moments (4·n\[l\]·(n\[l−1\] + 1)) and the
    /// caches Z, A, dZ and the dropout mask (4·n\[l\]·m), in f64.
    pub fn run(&self, m: usize, n: usize, hidden: &[usize], outputs: usize) -> u64 {
        let (m, n) = (m as u64, n as u64);
        let mut sizes = vec![n];
        sizes.extend(hidden.iter().map(|&h| h as u64));
        sizes.push(outputs as u64);
        let layers: u64 = sizes
            .windows(2)
            .map(|w| 4 * w[1] * (w[0] + 1) + 4 * w[1] * m)
            .sum();
        let fixed = if self.space { RUN_SPACE } else { RUN_RESIDENT };
        fixed + 8 * (4 * m * (n + 1) + layers)
    }
}

impl Reservation {
    /// Keeps only `bytes` of the reservation (what stays once the work is done).
    pub fn shrink_to(&mut self, bytes: u64) {
        let freed = self.bytes.saturating_sub(bytes);
        *self.memory.used() -= freed;
        self.bytes -= freed;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut used = self.memory.used();
        *used = used.saturating_sub(self.bytes);
    }
}

/// Caps glibc's malloc arenas at [`ARENAS`] (it makes up to 8 a core, each
/// reserving 64 MiB of address space, so 64 request threads on a 16-core
/// machine could reserve 8 GiB); elsewhere nothing to do.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of glibc's allocator.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS as libc::c_int);
    }
}

/// A size in bytes from /proc/self/status (`VmSize`, `VmRSS`); 0 where unknown.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn memory(limit: u64) -> Arc<Memory> {
        Arc::new(Memory {
            limit,
            own: 0,
            budget: Budget::with_limit(limit),
            space: false,
            used: Mutex::new(0),
        })
    }

    #[test]
    fn reservations_share_one_budget_and_give_back_when_dropped() {
        let memory = memory(100);
        let a = memory.reserve("this run", 60).unwrap();
        let (status, message) = memory.reserve("this upload", 50).err().unwrap();
        assert_eq!(status, 503);
        assert!(message.contains("this upload would take 50 B"), "{message}");
        assert!(message.contains("hold 60 B of the 100 B"), "{message}");
        drop(a);
        let mut b = memory.reserve("this upload", 50).unwrap();
        b.shrink_to(10);
        let _c = memory.reserve("this run", 90).unwrap();
        let (status, message) = memory.reserve("this run", 101).err().unwrap();
        assert_eq!(status, 413);
        assert!(
            message.contains("raise the playground's --max-memory"),
            "{message}"
        );
    }

    #[test]
    fn the_servers_own_memory_is_read() {
        assert!(status_bytes("VmSize") > status_bytes("VmRSS"));
        assert!(status_bytes("VmRSS") > 0);
        assert_eq!(status_bytes("NoSuchField"), 0);
    }
}
