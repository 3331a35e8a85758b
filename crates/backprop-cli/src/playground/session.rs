//! A run's training: the library's [`Session`] over the run's training set,
//! advanced one epoch at a time by the run's thread, and the event a frame
//! draws from it. The session is `backprop train`'s own loop, so a run and
//! its equivalent command end on the same weights, bit for bit.

use backprop::engine::{Advanced, Controls, Session, TrainingData, TrendWatch};
use backprop::metrics::accuracy;
use backprop::{Error, Network, Output};
use ndarray::Array2;

use super::data::RunData;
use super::snapshot::{self, Event};
use super::spec::{render, Model};

/// Each layer's (W, b).
pub type Parameters = Vec<(Array2<f64>, Array2<f64>)>;

/// A run in training: its session and what the events read beside it.
pub struct Training {
    session: Session<'static, f64>,
    /// The test set's X and targets, scored at each event.
    test: Option<(Array2<f64>, Array2<f64>)>,
    /// The cost on the training set before the first update (epoch 0's).
    initial_cost: f64,
    /// The training and test costs of the history already sent in an event.
    sent: (usize, usize),
    /// The cost's trend, kept as the history grows (each record read once).
    trend: TrendWatch,
    /// What stopped training before its epochs (a cost that became NaN or infinite).
    failed: Option<Error>,
}

impl Training {
    /// The session of `model` on `data`: the network drawn as `backprop
    /// train --seed` draws it, the settings checked by the library (once, here).
    pub fn start(model: &Model, data: &RunData) -> Result<Training, Error> {
        let net = network(model, data)?;
        let k = data.train.classes.len();
        let (x, y) = (data.train.x_as::<f64>(), data.train.targets_as::<f64>(k));
        let m = x.ncols();
        let gd = &model.spec.gd;
        let initial_cost =
            net.cost_on(x.view(), y.view()) + net.l2_penalty(gd.l2, m) + net.l1_penalty(gd.l1, m);
        let test = data
            .test
            .as_ref()
            .map(|t| (t.x_as::<f64>(), t.targets_as::<f64>(k)));
        // The session records the test cost at the epochs it records the
        // training cost (as `backprop train --test` does): the two curves
        // are sampled alike.
        let mut sets = TrainingData::new(x, y);
        sets.test = test.clone().map(|(tx, ty)| (tx.into(), ty.into()));
        let session = Session::new(net, sets, model.spec.gd.clone())?;
        Ok(Training {
            session,
            test,
            initial_cost,
            sent: (0, 0),
            trend: TrendWatch::default(),
            failed: None,
        })
    }

    /// Trains one more epoch (nothing once the run is finished).
    pub fn epoch(&mut self) {
        if self.is_finished() {
            return;
        }
        match self.session.advance(1, &mut Controls::default()) {
            Ok(Advanced::Paused | Advanced::Finished | Advanced::Interrupted) => {}
            Err(e) => self.failed = Some(e),
        }
    }

    /// Whether the run trained all its epochs, or cannot go on.
    pub fn is_finished(&self) -> bool {
        self.failed.is_some() || self.session.is_done()
    }

    /// The event of the weights as they are now, with the costs recorded
    /// since the previous event.
    pub fn event(&mut self, data: &RunData, state: &'static str, rate: f64) -> Event {
        let history = self.session.history();
        let (costs, test_costs) = (&history.costs, &history.test_costs);
        let curves = (
            snapshot::curve(&costs[self.sent.0.min(costs.len())..]),
            snapshot::curve(&test_costs[self.sent.1.min(test_costs.len())..]),
        );
        self.sent = (costs.len(), test_costs.len());
        self.trend.update(costs);
        let trend = self.trend.trend();
        let unit = if history.per_epoch {
            "epoch"
        } else {
            "iteration"
        };
        let trend_note = trend
            .note(unit, self.session.config().learning_rate)
            .map(|n| backprop::Setting::render(&n, &super::names::name));
        let epoch = self.session.units_done();
        let cost = match &self.failed {
            Some(Error::Diverged { cost, .. }) => *cost,
            _ if epoch == 0 => self.initial_cost,
            _ => history.final_cost,
        };
        let diverged = self
            .failed
            .as_ref()
            .map(|e| format!("training stopped: {}", render(e)));
        let net = self.session.network();
        let test = self
            .test
            .as_ref()
            .zip(data.test.as_ref())
            .map(|((x, y), t)| {
                let predicted = net.predict(x.view());
                (
                    net.cost_on(x.view(), y.view()),
                    accuracy(predicted.view(), t.y.view()),
                )
            });
        Event {
            epoch,
            cost,
            test_cost: test.map(|s| s.0),
            train_accuracy: accuracy(net.predict(data.train.x.view()).view(), data.train.y.view()),
            test_accuracy: test.map(|s| s.1),
            epochs_per_second: rate,
            state,
            done: state == "done",
            costs: curves.0,
            test_costs: curves.1,
            trend: trend.name(),
            trend_note,
            diverged,
            regions: snapshot::regions(net, data),
            layers: snapshot::layers(net, data),
        }
    }

    /// The weights as they are now.
    pub fn parameters(&mut self) -> Parameters {
        let net = self.session.network();
        net.layers()
            .iter()
            .map(|l| (l.w.clone(), l.b.clone()))
            .collect()
    }
}

/// The network of `model` for `data`'s features and classes, its weights
/// drawn from the seed, each hidden layer's activation the page's.
fn network(model: &Model, data: &RunData) -> Result<Network<f64>, Error> {
    let spec = &model.spec;
    let mut sizes = vec![data.train.features()];
    sizes.extend(&spec.hidden);
    sizes.push(Output::units_for_classes(data.train.classes.len()));
    let mut net = Network::<f64>::builder(&sizes)
        .activation(spec.activation)
        .init(spec.init)
        .seed(spec.gd.seed)
        .threads(spec.threads)
        .build()?;
    model.set_activations(&mut net);
    Ok(net)
}

/// The network with the `parameters` of a run of `model` (for the gradient
/// check and the model download).
pub fn network_with(model: &Model, parameters: Parameters) -> Result<Network<f64>, Error> {
    let mut net = Network::from_parameters(parameters, model.spec.activation)?;
    model.set_activations(&mut net);
    Ok(net)
}
