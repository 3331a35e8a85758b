//! The course's random numbers: numpy's legacy generator, reproduced exactly.
//!
//! `np.random.seed(s)` seeds MT19937 with `init_genrand(s)`; `np.random.rand`
//! draws 53-bit doubles from two 32-bit outputs; `np.random.randn` is the polar
//! Box–Muller method, which makes two normals per accepted pair and caches the
//! second. [`NumpyRng`] follows each step, so `--seed 1` gives the notebooks'
//! weights number for number.

use rand_mt::Mt;

/// A source of standard normal and uniform draws.
pub trait Gaussian {
    /// One draw from N(0, 1).
    fn randn(&mut self) -> f64;
    /// One draw from U[0, 1).
    fn uniform(&mut self) -> f64;
}

/// numpy's `RandomState` (MT19937 + legacy polar `randn`), as seeded by `np.random.seed`.
#[derive(Clone)]
pub struct NumpyRng {
    mt: Mt,
    cached_gauss: Option<f64>,
}

impl NumpyRng {
    /// The state after `np.random.seed(seed)`.
    pub fn new(seed: u32) -> Self {
        NumpyRng {
            mt: Mt::new(seed),
            cached_gauss: None,
        }
    }

    /// `np.random.randn(n)` as a vector.
    pub fn randn_vec(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.randn()).collect()
    }

    /// `np.random.permutation(n)`: a Fisher–Yates shuffle of 0..n from the
    /// last index down, each j drawn by numpy's `random_interval`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p = vec![0; n];
        self.permutation_into(&mut p);
        p
    }

    /// [`permutation`](Self::permutation) of 0..p.len() written into `p`, allocating nothing.
    pub fn permutation_into(&mut self, p: &mut [usize]) {
        for (i, v) in p.iter_mut().enumerate() {
            *v = i;
        }
        for i in (1..p.len()).rev() {
            let j = self.interval(i as u64) as usize;
            p.swap(i, j);
        }
    }

    /// numpy's `random_interval(max)`: uniform in 0..=max by masked rejection.
    fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        if max <= 0xffff_ffff {
            loop {
                let v = u64::from(self.mt.next_u32()) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = ((u64::from(self.mt.next_u32()) << 32) | u64::from(self.mt.next_u32())) & mask;
            if v <= max {
                return v;
            }
        }
    }
}

impl Gaussian for NumpyRng {
    /// numpy's `legacy_gauss`: polar Box–Muller, the second value cached.
    fn randn(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.uniform() - 1.0;
            let x2 = 2.0 * self.uniform() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    /// numpy's `legacy_double`: 27 + 26 bits of two outputs, a 53-bit double.
    fn uniform(&mut self) -> f64 {
        let a = (self.mt.next_u32() >> 5) as f64;
        let b = (self.mt.next_u32() >> 6) as f64;
        (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_1_randn_matches_numpy() {
        // np.random.seed(1); np.random.randn(3)
        let mut rng = NumpyRng::new(1);
        assert_eq!(
            rng.randn_vec(3),
            vec![1.6243453636632417, -0.6117564136500754, -0.5281717522634557]
        );
    }

    #[test]
    fn permutation_matches_numpy() {
        // np.random.seed(3); np.random.permutation(10)
        assert_eq!(
            NumpyRng::new(3).permutation(10),
            vec![5, 4, 1, 2, 9, 6, 7, 0, 3, 8]
        );
        // np.random.seed(0); np.random.permutation(300)[:12]
        let p = NumpyRng::new(0).permutation(300);
        assert_eq!(
            p[..12],
            [208, 188, 12, 221, 239, 136, 230, 206, 52, 108, 290, 15]
        );
        // After one randn (a cached normal), then rand: numpy's stream continues as ours.
        let mut rng = NumpyRng::new(1);
        rng.randn();
        assert_eq!(rng.permutation(5), vec![0, 2, 4, 3, 1]);
        assert_eq!(rng.uniform(), 0.23608897695197606);
    }

    #[test]
    fn seed_0_rand_matches_numpy() {
        // np.random.seed(0); np.random.rand(2)
        let mut rng = NumpyRng::new(0);
        assert_eq!(rng.uniform(), 0.5488135039273248);
        assert_eq!(rng.uniform(), 0.7151893663724195);
    }
}
