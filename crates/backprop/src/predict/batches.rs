//! Examples on their way to the network, given to it in batches that give
//! each example the bits a one-pass prediction of all of them gives: the
//! network takes a large X in chunks of half its chunk size to its chunk
//! size (`Network::output_logits`), in which every column gets the same
//! bits (tests/chunked_predict.rs); a stream of examples whose count is not
//! known until its end goes in such batches too, and a stream of at most a
//! chunk goes in one batch, as one pass takes it.

use ndarray::Array2;

/// Examples read but not yet predicted, each contiguous (n_x values).
pub(crate) struct Batches {
    n_x: usize,
    chunk: usize,
    values: Vec<f64>,
}

impl Batches {
    /// Batches of examples of `n_x` features for a network that takes at
    /// most `chunk` columns in one pass.
    pub(crate) fn new(n_x: usize, chunk: usize) -> Self {
        Batches {
            n_x,
            chunk: chunk.max(2),
            values: Vec::new(),
        }
    }

    /// Adds the columns of `x` (n_x × k).
    pub(crate) fn push(&mut self, x: &Array2<f64>) {
        self.values.extend(x.t().iter());
    }

    fn waiting(&self) -> usize {
        self.values.len() / self.n_x.max(1)
    }

    /// A batch of a chunk, once two chunks wait (so that what is left at the
    /// end is at least a chunk, never a small batch).
    pub(crate) fn full(&mut self) -> Option<Array2<f64>> {
        (self.waiting() >= 2 * self.chunk).then(|| self.take(self.chunk))
    }

    /// The last batches: what waits, in one batch of at most a chunk, else
    /// in two halves (as one pass splits up to two chunks).
    pub(crate) fn last(&mut self) -> Vec<Array2<f64>> {
        let r = self.waiting();
        match r {
            0 => Vec::new(),
            r if r <= self.chunk => vec![self.take(r)],
            r => {
                let half = r.div_ceil(2);
                vec![self.take(half), self.take(r - half)]
            }
        }
    }

    /// The first `k` examples waiting, as X (n_x × k, each column contiguous).
    fn take(&mut self, k: usize) -> Array2<f64> {
        let values: Vec<f64> = self.values.drain(..k * self.n_x).collect();
        Array2::from_shape_vec((k, self.n_x), values)
            .expect("k examples of n_x values")
            .reversed_axes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batches of a stream are one pass's for up to two chunks, and
    /// each from half a chunk to a chunk beyond, whatever the blocks pushed.
    #[test]
    fn batches_are_those_of_one_pass() {
        let chunk = 10;
        for m in [1, 9, 10, 11, 19, 20, 21, 35, 57, 100] {
            for block in [1, 3, 7, 64] {
                let mut b = Batches::new(2, chunk);
                let (mut widths, mut next) = (Vec::new(), 0.0);
                let mut pushed = 0;
                while pushed < m {
                    let k = block.min(m - pushed);
                    let x = Array2::from_shape_fn((2, k), |(f, j)| {
                        (pushed + j) as f64 + f as f64 / 2.0
                    });
                    b.push(&x);
                    pushed += k;
                    while let Some(batch) = b.full() {
                        widths.push(batch.ncols());
                        for c in batch.columns() {
                            assert_eq!(c.to_vec(), [next, next + 0.5], "in order");
                            next += 1.0;
                        }
                    }
                }
                for batch in b.last() {
                    widths.push(batch.ncols());
                    for c in batch.columns() {
                        assert_eq!(c.to_vec(), [next, next + 0.5], "in order");
                        next += 1.0;
                    }
                }
                assert_eq!(widths.iter().sum::<usize>(), m);
                if m <= chunk {
                    assert_eq!(widths, [m]);
                } else if m <= 2 * chunk {
                    assert_eq!(widths, [m.div_ceil(2), m / 2]);
                } else {
                    assert!(
                        widths.iter().all(|&w| w >= chunk / 2 && w <= chunk),
                        "{widths:?}"
                    );
                }
            }
        }
    }
}
