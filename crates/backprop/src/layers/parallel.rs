//! The picture layers' loops (patches, pooling, activations) split over the
//! library's worker pool ([`crate::pool`]), as the products are.
//!
//! The output is cut into parts of whole items (an example's volume, an
//! entry), each part written by one thread alone, and every entry is computed
//! by the same operations in the same order as on one thread: the bits do not
//! depend on the thread count. Nothing is allocated (the parts are handed out
//! through a fixed array of slots on the stack).

use std::sync::Mutex;

use crate::activation::{apply_row, derivative_row, Activation};
use crate::linalg::{Float, Threads};
use crate::pool;

/// The most parts one loop is cut into.
const MAX_PARTS: usize = 16;
/// Outputs with fewer entries than this per part run on the calling thread.
const MIN_PART: usize = 1 << 14;

/// A part's work: the index of its first item, then its share of the two outputs.
type PartFn<'f, A, B> = dyn Fn(usize, &mut [A], &mut [B]) + Sync + 'f;

/// How many parts `entries` outputs are cut into on `threads` threads.
fn parts(threads: Threads, entries: usize, items: usize) -> usize {
    if threads.0 <= 1 {
        // One thread: the pool is never started.
        return 1;
    }
    threads
        .0
        .min(pool::width())
        .min(entries / MIN_PART)
        .min(items)
        .clamp(1, MAX_PARTS)
}

/// Runs `f(first_item, chunk)` over `out` cut into chunks of whole items
/// of `item` entries, one chunk a part.
pub(crate) fn for_items<T: Send>(
    out: &mut [T],
    item: usize,
    threads: Threads,
    f: &(dyn Fn(usize, &mut [T]) + Sync),
) {
    let mut none: [(); 0] = [];
    for_items2(out, item, &mut none, 0, threads, &|i, a, _| f(i, a));
}

/// [`for_items`] over two outputs of the same number of items, `item_a` and
/// `item_b` entries each (`item_b` 0: `b` is not cut, each part gets an empty slice).
pub(crate) fn for_items2<A: Send, B: Send>(
    a: &mut [A],
    item_a: usize,
    b: &mut [B],
    item_b: usize,
    threads: Threads,
    f: &PartFn<'_, A, B>,
) {
    let items = a.len().checked_div(item_a).unwrap_or(0);
    let parts = parts(threads, a.len(), items);
    if parts <= 1 {
        return f(0, a, b);
    }
    let per = items.div_ceil(parts);
    type Slot<'s, A, B> = Mutex<Option<(&'s mut [A], &'s mut [B])>>;
    let slots: [Slot<'_, A, B>; MAX_PARTS] = Default::default();
    let (mut rest_a, mut rest_b) = (a, b);
    let mut used = 0;
    while !rest_a.is_empty() {
        let n = per.min(rest_a.len() / item_a);
        let (part_a, tail_a) = rest_a.split_at_mut(n * item_a);
        let (part_b, tail_b) = rest_b.split_at_mut((n * item_b).min(rest_b.len()));
        *lock(&slots[used]) = Some((part_a, part_b));
        (rest_a, rest_b) = (tail_a, tail_b);
        used += 1;
    }
    pool::run(used, &|p| {
        if let Some((a, b)) = lock(&slots[p]).take() {
            f(p * per, a, b);
        }
    });
}

/// A = g(Z) entry by entry, over `threads`.
pub(crate) fn activate<T: Float>(g: Activation, z: &[T], a: &mut [T], threads: Threads) {
    for_items(a, 1, threads, &|first, a| {
        apply_row(g, &z[first..first + a.len()], a);
    });
}

/// dZ = dA ⊙ g′(Z) entry by entry (A = g(Z)), over `threads`.
pub(crate) fn activation_gradient<T: Float>(
    g: Activation,
    dz: &mut [T],
    (da, z, a): (&[T], &[T], &[T]),
    threads: Threads,
) {
    for_items(dz, 1, threads, &|first, dz| {
        let r = first..first + dz.len();
        derivative_row(g, dz, &da[r.clone()], &z[r.clone()], &a[r]);
    });
}

fn lock<S>(m: &Mutex<S>) -> std::sync::MutexGuard<'_, S> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_written_once_by_whole_items_on_any_thread_count() {
        for threads in [1, 2, 3] {
            let (item, items) = (3, 40_000);
            let mut out = vec![0usize; item * items];
            let mut marks = vec![0u8; items];
            for_items2(
                &mut out,
                item,
                &mut marks,
                1,
                Threads(threads),
                &|first, a, m| {
                    assert_eq!(a.len() % item, 0);
                    assert_eq!(a.len() / item, m.len());
                    for (j, (chunk, mark)) in a.chunks_mut(item).zip(m).enumerate() {
                        chunk.iter_mut().for_each(|v| *v += first + j);
                        *mark += 1;
                    }
                },
            );
            let expected: Vec<usize> = (0..items).flat_map(|i| [i; 3]).collect();
            assert_eq!(out, expected);
            assert!(marks.iter().all(|&m| m == 1));
        }
    }
}
