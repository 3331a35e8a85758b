//! X handed over to training in the network's float type without a second
//! whole copy beside it: an f64 X is moved as it is; for f32, the values are
//! rounded a block at a time from the last example, and the f64 buffer is
//! shortened after each block (its tail goes back to the system), so the
//! new matrix grows as the old one shrinks. The values and their layout are
//! those of `x.mapv(T::cast)`.

use std::any::Any;

use ndarray::{Array2, ShapeBuilder};

use super::Dataset;
use crate::linalg::Float;

/// Values rounded between two shortenings of the f64 buffer (4 MB of f64).
const BLOCK: usize = 1 << 19;

impl Dataset {
    /// X in the network's type, moved out of the set: the set keeps its
    /// n_x × 0 shell (its labels, classes and preprocessing stay), and the
    /// matrix equals [`Dataset::x_as`]'s, bit for bit and in layout.
    pub(crate) fn take_x_as<T: Float>(&mut self) -> Array2<T> {
        let shell = Array2::zeros((self.features(), 0));
        into_type(std::mem::replace(&mut self.x, shell))
    }
}

/// `x` back in f64: moved when `T` is f64, else widened (exactly).
pub(crate) fn widen<T: Float>(x: Array2<T>) -> Array2<f64> {
    match (Box::new(x) as Box<dyn Any>).downcast::<Array2<f64>>() {
        Ok(same) => *same,
        Err(other) => other
            .downcast::<Array2<T>>()
            .expect("a T matrix")
            .mapv(T::as_f64),
    }
}

/// `x` as `T` (see the module's comment).
pub(crate) fn into_type<T: Float>(x: Array2<f64>) -> Array2<T> {
    let x = match (Box::new(x) as Box<dyn Any>).downcast::<Array2<T>>() {
        Ok(same) => return *same,
        Err(other) => *other.downcast::<Array2<f64>>().expect("an f64 matrix"),
    };
    // The shrinking copy needs each example contiguous and nothing else in
    // the buffer (as every loader makes X); any other X is copied whole.
    let (n_x, m) = x.dim();
    if !x.t().is_standard_layout() {
        return x.mapv(T::cast);
    }
    let (mut v, offset) = x.into_raw_vec_and_offset();
    let start = offset.unwrap_or(0);
    let len = n_x * m;
    // Zeroed pages take memory only as they are written.
    let mut out = vec![T::zero(); len];
    let mut end = len;
    while end > 0 {
        let begin = end.saturating_sub(BLOCK);
        let from = &v[start + begin..start + end];
        for (o, &a) in out[begin..end].iter_mut().zip(from) {
            *o = T::cast(a);
        }
        v.truncate(start + begin);
        v.shrink_to_fit();
        end = begin;
    }
    Array2::from_shape_vec((n_x, m).f(), out).expect("n_x × m values")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moved or rounded block by block, X is `mapv(cast)`'s, in values and
    /// layout, whatever its size against the block.
    #[test]
    fn the_typed_matrix_is_mapv_cast() {
        for m in [0, 1, 3, BLOCK / 7 + 5] {
            let n_x = 7;
            let values: Vec<f64> = (0..n_x * m).map(|i| (i as f64).sin() * 1e3 + 0.1).collect();
            let x = Array2::from_shape_vec((m, n_x), values)
                .unwrap()
                .reversed_axes();
            let want32 = x.mapv(f32::cast);
            let got32 = into_type::<f32>(x.clone());
            assert_eq!(got32, want32);
            assert_eq!(got32.strides(), want32.strides());
            let (want64, at) = (x.clone(), x.as_ptr());
            let got64 = into_type::<f64>(x);
            assert_eq!(got64.as_ptr(), at, "an f64 X is moved, not copied");
            assert_eq!(got64.strides(), want64.strides());
            assert_eq!(got64, want64);
        }
        // A row-major X is copied whole, the same way.
        let x = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 / 3.0);
        assert_eq!(into_type::<f32>(x.clone()), x.mapv(f32::cast));
        assert_eq!(
            into_type::<f32>(x.clone()).strides(),
            x.mapv(f32::cast).strides()
        );
    }
}
