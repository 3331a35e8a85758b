//! What one event of the stream carries: the numbers of the epoch, the
//! decision regions on a 100 × 100 grid, each unit's activation on a 24 × 24
//! grid, the weights and the gradient norms. Grids travel as base64 bytes.

use backprop::{Dense, Network, Output};
use ndarray::Array2;
use serde::Serialize;

use super::data::RunData;

/// The side of the decision-region grid.
pub const REGION_GRID: usize = 100;
/// The most cost-curve points one event carries.
pub const CURVE_POINTS: usize = 64;
/// The side of each unit's own heatmap.
pub const UNIT_GRID: usize = 24;

/// One layer's parameters and gradient norms, for drawing the network.
#[derive(Serialize)]
pub struct LayerView {
    /// W\[l\], row-major (n\[l\] rows of n\[l-1\]).
    pub w: Vec<f64>,
    /// b\[l\].
    pub b: Vec<f64>,
    /// ‖dW\[l\]‖ and ‖db\[l\]‖ (Frobenius) of the last update.
    pub dw_norm: f64,
    pub db_norm: f64,
    /// Each unit's activation on the unit grid: bytes 0…255 for −scale…+scale.
    pub units: Vec<String>,
    /// The largest |activation| of each unit on that grid.
    pub scales: Vec<f64>,
}

/// One event of `GET /api/runs/{id}/events`.
#[derive(Serialize)]
pub struct Event {
    pub epoch: usize,
    pub cost: f64,
    pub test_cost: Option<f64>,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    /// Epochs trained per second since the last event.
    pub epochs_per_second: f64,
    /// "waiting", "playing", "paused" or "done".
    pub state: &'static str,
    pub done: bool,
    /// (epoch, cost) of up to [`CURVE_POINTS`] epochs, evenly spaced, trained
    /// since the previous event: the cost curve between frames.
    pub costs: Vec<(usize, f64)>,
    /// (epoch, test cost) of the epochs `costs` samples (the session records
    /// both at the same epochs): the test curve as dense as the training one.
    pub test_costs: Vec<(usize, f64)>,
    /// The library's reading of the cost so far ([`backprop::engine::Trend`]):
    /// "learning", "diverging" or "stalled".
    pub trend: &'static str,
    /// What a diverging or stalled run means and what to try (None while learning).
    pub trend_note: Option<String>,
    /// Set when the cost became NaN or infinite: what happened and what to try.
    pub diverged: Option<String>,
    /// The decision regions: per grid point (row by row from the top) P(class 1)
    /// for two classes, or the most probable class k and its probability p as
    /// the byte pair (k, p).
    pub regions: String,
    pub layers: Vec<LayerView>,
}

/// The grid points (n² of them) of the picture, row 0 at the top, the other
/// features at their training means, as the network's inputs.
fn grid(data: &RunData, n: usize) -> Array2<f64> {
    let [x0, x1, y0, y1] = data.bounds;
    let [fx, fy] = data.shown;
    let mut g = Array2::zeros((data.means.len(), n * n));
    for (f, &mean) in data.means.iter().enumerate() {
        g.row_mut(f).fill(mean);
    }
    for r in 0..n {
        for c in 0..n {
            let j = r * n + c;
            g[(fx, j)] = x0 + (x1 - x0) * (c as f64 + 0.5) / n as f64;
            g[(fy, j)] = y1 - (y1 - y0) * (r as f64 + 0.5) / n as f64;
        }
    }
    data.as_inputs(g)
}

fn byte(p: f64) -> u8 {
    (p.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// The decision regions as base64 bytes (see [`Event::regions`]).
pub fn regions(net: &Network<f64>, data: &RunData) -> String {
    let p = net.predict_proba(grid(data, REGION_GRID).view());
    let bytes: Vec<u8> = if p.nrows() == 1 {
        p.iter().map(|&v| byte(v)).collect()
    } else {
        p.columns()
            .into_iter()
            .flat_map(|col| {
                let (k, best) =
                    col.iter()
                        .enumerate()
                        .fold(
                            (0, f64::NEG_INFINITY),
                            |b, (k, &v)| if v > b.1 { (k, v) } else { b },
                        );
                [k as u8, byte(best)]
            })
            .collect()
    };
    base64(&bytes)
}

/// Every layer's view: parameters, gradient norms and each unit's heatmap.
pub fn layers(net: &Network<f64>, data: &RunData) -> Vec<LayerView> {
    let threads = net.threads();
    let mut a_prev = grid(data, UNIT_GRID);
    let last = net.layers().len() - 1;
    let mut out = Vec::new();
    for (l, layer) in net.layers().iter().enumerate() {
        let mut scratch = Dense::new(layer.w.clone(), layer.b.clone(), layer.kind);
        scratch.forward(a_prev.view(), threads);
        let a = if l == last {
            // The output's own probability: σ(z), or the softmax over the column.
            Output::for_units(layer.w.nrows()).probabilities(scratch.z.view())
        } else {
            std::mem::take(&mut scratch.a)
        };
        let (units, scales) = maps(&a);
        out.push(LayerView {
            w: layer.w.iter().copied().collect(),
            b: layer.b.iter().copied().collect(),
            dw_norm: layer.dw.iter().map(|v| v * v).sum::<f64>().sqrt(),
            db_norm: layer.db.iter().map(|v| v * v).sum::<f64>().sqrt(),
            units,
            scales,
        });
        a_prev = a;
    }
    out
}

/// Each row of `a` (a unit's or an input's values on the unit grid) as
/// base64 bytes 0…255 for −scale…+scale, and that scale (its largest |value|).
fn maps(a: &Array2<f64>) -> (Vec<String>, Vec<f64>) {
    a.rows()
        .into_iter()
        .map(|row| {
            let s = row.fold(0.0f64, |m, &v| m.max(v.abs()));
            let k = if s > 0.0 { 1.0 / s } else { 0.0 };
            let bytes: Vec<u8> = row.iter().map(|&v| byte((v * k + 1.0) / 2.0)).collect();
            (base64(&bytes), s)
        })
        .unzip()
}

/// Each input's own map over the picture's plane (on the unit grid, as
/// [`LayerView::units`]) and its scale: x1 and x2 as ramps, x1² as a
/// valley, sin x1 as stripes.
pub fn input_maps(data: &RunData) -> (Vec<String>, Vec<f64>) {
    maps(&grid(data, UNIT_GRID))
}

/// Up to [`CURVE_POINTS`] of `recent`'s (epoch, cost) pairs, evenly spaced, and the last.
pub fn curve(recent: &[(usize, f64)]) -> Vec<(usize, f64)> {
    let stride = recent.len().div_ceil(CURVE_POINTS).max(1);
    let mut costs: Vec<(usize, f64)> = recent.iter().step_by(stride).copied().collect();
    if let (Some(last), Some(kept)) = (recent.last(), costs.last()) {
        if last.0 != kept.0 {
            costs.push(*last);
        }
    }
    costs
}

/// Standard base64 (RFC 4648, padded): the page decodes it with `atob`.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[255, 0, 128]), "/wCA");
    }
}
