//! The playground's training: the library's network and optimiser, stepped
//! one epoch at a time so the server can pause, single-step and draw between
//! epochs. An epoch is one update on the full batch, or one pass of shuffled
//! mini-batches (epoch e shuffled by `np.random.seed(seed + e + 1)`, as
//! `backprop train --batch-size` does, dropout masks drawn as it draws them).
//! The cost of epoch e is the mean of its batches' forward-pass costs, each
//! before its update (with the L2 term). So the run's `backprop train`
//! command, on its train.csv, ends with the same cost (a test checks).

use backprop::engine::dropout_seed;
use backprop::metrics::accuracy;
use backprop::optim::Optimizer;
use backprop::{Network, NumpyRng};
use ndarray::{s, Array2, ShapeBuilder};

use super::data::RunData;
use super::spec::RunSpec;

/// A network in training, with its data and optimiser state.
pub struct Trainer {
    pub net: Network<f64>,
    optimizer: Optimizer<f64>,
    pub data: RunData,
    /// X and the targets (Y 1 × m, or one-hot K × m) of the training set.
    pub x: Array2<f64>,
    pub y: Array2<f64>,
    test_xy: Option<(Array2<f64>, Array2<f64>)>,
    learning_rate: f64,
    batch_size: usize,
    l2: f64,
    keep_prob: f64,
    seed: u32,
    /// Epochs done.
    pub epoch: usize,
    /// (epoch, cost) of the epochs trained since the last event.
    pub recent: Vec<(usize, f64)>,
    xb: Array2<f64>,
    yb: Array2<f64>,
}

impl Trainer {
    /// The untrained network of `spec` on `data`: its weights are drawn as
    /// `backprop train --seed` draws them, so the same settings start alike.
    pub fn new(spec: &RunSpec, data: RunData) -> Result<Trainer, String> {
        let k = data.train.classes.len();
        let mut sizes = vec![data.train.features()];
        sizes.extend(&spec.request.hidden);
        sizes.push(if k > 2 { k } else { 1 });
        let first = spec
            .activations
            .first()
            .copied()
            .unwrap_or(backprop::Activation::Tanh);
        let mut net = Network::<f64>::new(
            &sizes,
            first,
            spec.init,
            &mut NumpyRng::new(spec.request.seed),
        )
        .map_err(|e| e.to_string())?;
        for (layer, g) in net.layers_mut().iter_mut().zip(&spec.activations) {
            layer.kind = backprop::LayerKind::Hidden(*g);
        }
        let x = data.train.x_as::<f64>();
        let y = data.train.targets_as::<f64>(k);
        let test_xy = data
            .test
            .as_ref()
            .map(|t| (t.x_as::<f64>(), t.targets_as::<f64>(k)));
        let m = x.ncols();
        let batch_size = spec.request.batch_size.unwrap_or(m).clamp(1, m);
        Ok(Trainer {
            net,
            optimizer: Optimizer::new(spec.optimizer),
            xb: Array2::zeros((x.nrows(), batch_size).f()),
            yb: Array2::zeros((y.nrows(), batch_size).f()),
            x,
            y,
            test_xy,
            learning_rate: spec.request.learning_rate,
            batch_size,
            l2: spec.request.l2,
            keep_prob: spec.request.keep_prob,
            seed: spec.request.seed,
            epoch: 0,
            recent: Vec::new(),
            data,
        })
    }

    /// One epoch; returns its cost (NaN or ±∞ when training diverged).
    pub fn epoch(&mut self) -> f64 {
        let m = self.x.ncols();
        let b = self.batch_size;
        let order = (b < m).then(|| {
            NumpyRng::new(self.seed.wrapping_add(self.epoch as u32).wrapping_add(1)).permutation(m)
        });
        let mut total = 0.0;
        for first in (0..m).step_by(b) {
            let mb = (first + b).min(m) - first;
            let (xv, yv) = match &order {
                None => (
                    self.x.slice(s![.., first..first + mb]),
                    self.y.slice(s![.., first..first + mb]),
                ),
                Some(order) => {
                    for (c, &j) in order[first..first + mb].iter().enumerate() {
                        self.xb.column_mut(c).assign(&self.x.column(j));
                        self.yb.column_mut(c).assign(&self.y.column(j));
                    }
                    (self.xb.slice(s![.., ..mb]), self.yb.slice(s![.., ..mb]))
                }
            };
            if self.keep_prob < 1.0 {
                // The masks `backprop train` draws for the same update.
                let seed = dropout_seed(self.seed, self.optimizer.t as usize);
                self.net
                    .draw_dropout(&[self.keep_prob], mb, &mut NumpyRng::new(seed));
            }
            self.net.forward(xv);
            let cost = self.net.cost(yv) + self.net.l2_penalty(self.l2, mb);
            self.net.backward(xv, yv);
            if self.l2 > 0.0 {
                self.net.add_l2_gradient(self.l2, mb);
            }
            self.optimizer.begin_step();
            let lr = self.learning_rate;
            for (l, layer) in self.net.layers_mut().iter_mut().enumerate() {
                self.optimizer.update(2 * l, &mut layer.w, &layer.dw, lr);
                self.optimizer
                    .update(2 * l + 1, &mut layer.b, &layer.db, lr);
            }
            total += cost * mb as f64;
        }
        let cost = total / m as f64;
        self.recent.push((self.epoch, cost));
        self.epoch += 1;
        cost
    }

    /// (cost, accuracy) on the test set at the current weights, when there is one.
    pub fn test_scores(&self) -> Option<(f64, f64)> {
        let (tx, ty) = self.test_xy.as_ref()?;
        let test = self.data.test.as_ref()?;
        let cost = self.net.cost_on(tx.view(), ty.view());
        let acc = accuracy(self.net.predict(tx.view()).view(), test.y.view());
        Some((cost, acc))
    }

    /// λ of the L2 term.
    pub fn l2(&self) -> f64 {
        self.l2
    }

    /// The training accuracy at the current weights.
    pub fn train_accuracy(&self) -> f64 {
        accuracy(
            self.net.predict(self.x.view()).view(),
            self.data.train.y.view(),
        )
    }

    /// The cost on the whole training set at the current weights (epoch 0's cost).
    pub fn train_cost(&self) -> f64 {
        let m = self.x.ncols();
        self.net.cost_on(self.x.view(), self.y.view()) + self.net.l2_penalty(self.l2, m)
    }
}
