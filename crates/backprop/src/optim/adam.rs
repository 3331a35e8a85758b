//! Adam with bias correction (the course's form), at update t = 1, 2, …:
//! v = β₁·v + (1 − β₁)·dθ; s = β₂·s + (1 − β₂)·dθ²;
//! v̂ = v / (1 − β₁ᵗ); ŝ = s / (1 − β₂ᵗ); θ −= α·v̂ / (√ŝ + ε).

use ndarray::{Array2, Zip};
use serde::{Deserialize, Serialize};

use super::Slot;
use crate::linalg::{dispatch, Float};

/// Adam's settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// β₁, the decay of the gradient average (default 0.9).
    pub beta1: f64,
    /// β₂, the decay of the squared-gradient average (default 0.999).
    pub beta2: f64,
    /// ε (default 1e-8).
    pub epsilon: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
        }
    }
}

impl AdamConfig {
    /// One update of `param` at step `t` (from 1) given its gradient and its moments.
    pub fn update<T: Float>(
        &self,
        param: &mut Array2<T>,
        grad: &Array2<T>,
        slot: &mut Slot<T>,
        lr: T,
        t: u64,
    ) {
        let (b1, b2, eps) = (
            T::cast(self.beta1),
            T::cast(self.beta2),
            T::cast(self.epsilon),
        );
        let t = t.min(i32::MAX as u64) as i32;
        let c1 = T::one() - T::cast(self.beta1.powi(t));
        let c2 = T::one() - T::cast(self.beta2.powi(t));
        let k = Constants {
            b1,
            b2,
            c1,
            c2,
            eps,
            lr,
        };
        let agree = param.dim() == grad.dim() && layouts_agree(param, grad, slot);
        let slices = (
            param.as_slice_memory_order_mut(),
            grad.as_slice_memory_order(),
            slot.v.as_slice_memory_order_mut(),
            slot.s.as_slice_memory_order_mut(),
        );
        if let (Some(p), Some(g), Some(v), Some(s)) = slices {
            if agree {
                return update_slices(k, p, g, v, s);
            }
        }
        Zip::from(param)
            .and(grad)
            .and(&mut slot.v)
            .and(&mut slot.s)
            .for_each(|p, &g, v, s| step(k, p, g, v, s));
    }
}

/// The per-element constants of one update.
#[derive(Clone, Copy)]
struct Constants<T> {
    b1: T,
    b2: T,
    c1: T,
    c2: T,
    eps: T,
    lr: T,
}

/// Whether the gradient and the moments lie in memory as the parameter does
/// (so their flat slices pair up element by element).
fn layouts_agree<T: Float>(param: &Array2<T>, grad: &Array2<T>, slot: &Slot<T>) -> bool {
    let (st, dim) = (param.strides(), param.dim());
    [grad, &slot.v, &slot.s]
        .iter()
        .all(|a| a.strides() == st && a.dim() == dim)
}

/// One element's update: the same operations, in the same order, on every path.
#[inline(always)]
fn step<T: Float>(k: Constants<T>, p: &mut T, g: T, v: &mut T, s: &mut T) {
    *v = k.b1 * *v + (T::one() - k.b1) * g;
    *s = k.b2 * *s + (T::one() - k.b2) * g * g;
    let v_hat = *v / k.c1;
    let s_hat = *s / k.c2;
    *p -= k.lr * v_hat / (s_hat.sqrt() + k.eps);
}

/// The update over flat slices, compiled for AVX2 where the CPU has it: one
/// pass, four lanes a register, the same bits as the scalar loop (no
/// operation is fused or reordered). ≈4× faster than the Zip of four arrays
/// (`docs/PERFORMANCE.md`, Python section).
fn update_slices<T: Float>(k: Constants<T>, p: &mut [T], g: &[T], v: &mut [T], s: &mut [T]) {
    dispatch!(avx2, update_body, (k: Constants<T>, p: &mut [T], g: &[T], v: &mut [T], s: &mut [T]))
}

#[inline(always)]
fn update_body<T: Float>(k: Constants<T>, p: &mut [T], g: &[T], v: &mut [T], s: &mut [T]) {
    for (((p, &g), v), s) in p.iter_mut().zip(g).zip(v.iter_mut()).zip(s.iter_mut()) {
        step(k, p, g, v, s);
    }
}
