//! The gradient check's measure, shared by [`crate::gradcheck`] and the
//! layers' own checks: the course's ε, the threshold a correct backward pass
//! meets, and the relative difference between two gradients.

/// The course's ε.
pub const EPSILON: f64 = 1e-7;
/// The largest relative difference a correct backward pass is expected to give.
pub const THRESHOLD: f64 = 1e-7;

/// ‖grad − approx‖ / (‖grad‖ + ‖approx‖), 0 when both are zero. The norms
/// are taken of the vectors scaled by their largest entry, so gradients near
/// f64's range (a large λ) give the true ratio rather than ∞/∞.
pub(crate) fn relative(grad: &[f64], approx: &[f64]) -> f64 {
    let scale = grad
        .iter()
        .chain(approx)
        .fold(0.0_f64, |s, v| s.max(v.abs()));
    if scale == 0.0 {
        return 0.0;
    }
    let norm =
        |v: &mut dyn Iterator<Item = f64>| v.map(|e| (e / scale).powi(2)).sum::<f64>().sqrt();
    let diff = norm(&mut grad.iter().zip(approx).map(|(g, a)| g / 2.0 - a / 2.0));
    // The halves keep g − a finite; the ratio is unchanged by the factor.
    2.0 * diff / (norm(&mut grad.iter().copied()) + norm(&mut approx.iter().copied()))
}
