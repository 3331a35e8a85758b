//! Collective operations for data-parallel training: every rank holds the
//! whole model, trains on its share of each mini-batch, and the ranks sum
//! their gradients with one all-reduce of a flat buffer per update.
//!
//! [`Single`] is the one-process implementation (it does nothing);
//! [`Threads`] runs ranks as threads of one process (the reference the
//! equivalence tests use). A transport across machines (MPI) implements the
//! same trait.

use std::sync::{Arc, Barrier, Mutex};

/// What data-parallel training needs from the ranks.
pub trait Collective {
    /// This rank, from 0.
    fn rank(&self) -> usize;
    /// How many ranks there are.
    fn size(&self) -> usize;
    /// Replaces `buf` on every rank by the element-wise sum over the ranks,
    /// added in rank order (so every rank gets the same bits).
    fn all_reduce_sum(&self, buf: &mut [f64]);
    /// Replaces `buf` on every rank by rank `root`'s.
    fn broadcast(&self, buf: &mut [f64], root: usize);
}

/// One process, one rank.
#[derive(Clone, Copy, Debug, Default)]
pub struct Single;

impl Collective for Single {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_reduce_sum(&self, _: &mut [f64]) {}
    fn broadcast(&self, _: &mut [f64], _: usize) {}
}

/// Ranks as threads of one process, sharing memory.
pub struct Threads {
    rank: usize,
    shared: Arc<Shared>,
}

struct Shared {
    slots: Mutex<Vec<Vec<f64>>>,
    barrier: Barrier,
}

impl Threads {
    /// One handle per rank, to move into each rank's thread.
    pub fn group(size: usize) -> Vec<Threads> {
        let shared = Arc::new(Shared {
            slots: Mutex::new(vec![Vec::new(); size]),
            barrier: Barrier::new(size),
        });
        (0..size)
            .map(|rank| Threads {
                rank,
                shared: Arc::clone(&shared),
            })
            .collect()
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Vec<Vec<f64>>> {
        // A rank that panicked poisons the lock; the others' data is still whole.
        self.shared.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Collective for Threads {
    fn rank(&self) -> usize {
        self.rank
    }

    fn size(&self) -> usize {
        self.slots().len()
    }

    fn all_reduce_sum(&self, buf: &mut [f64]) {
        self.slots()[self.rank] = buf.to_vec();
        self.shared.barrier.wait();
        {
            let slots = self.slots();
            buf.fill(0.0);
            for slot in slots.iter() {
                for (b, v) in buf.iter_mut().zip(slot) {
                    *b += v;
                }
            }
        }
        self.shared.barrier.wait();
    }

    fn broadcast(&self, buf: &mut [f64], root: usize) {
        if self.rank == root {
            self.slots()[root] = buf.to_vec();
        }
        self.shared.barrier.wait();
        buf.copy_from_slice(&self.slots()[root]);
        self.shared.barrier.wait();
    }
}

/// The examples `lo..hi` of a batch of `m` that `rank` of `size` trains on
/// (contiguous shares, the first ones one larger when m does not divide).
pub fn share(m: usize, rank: usize, size: usize) -> (usize, usize) {
    let (q, r) = (m / size, m % size);
    let lo = rank * q + rank.min(r);
    (lo, lo + q + usize::from(rank < r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_cover_the_batch_once() {
        for (m, size) in [(10, 3), (2, 4), (64, 2), (7, 7)] {
            let mut next = 0;
            for r in 0..size {
                let (lo, hi) = share(m, r, size);
                assert_eq!(lo, next);
                next = hi;
            }
            assert_eq!(next, m);
        }
    }

    #[test]
    fn thread_ranks_sum_and_broadcast() {
        let handles: Vec<_> = Threads::group(3)
            .into_iter()
            .map(|c| {
                std::thread::spawn(move || {
                    let mut v = vec![c.rank() as f64, 1.0];
                    c.all_reduce_sum(&mut v);
                    let mut w = vec![c.rank() as f64 * 10.0];
                    c.broadcast(&mut w, 2);
                    (v, w)
                })
            })
            .collect();
        for h in handles {
            let (v, w) = h.join().unwrap();
            assert_eq!(v, vec![3.0, 3.0]);
            assert_eq!(w, vec![20.0]);
        }
    }
}
