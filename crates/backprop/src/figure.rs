//! What a run's figures show, decided apart from drawing them (so that it is
//! the same, and tested, with or without the `plot` feature): the learning
//! curve's title (the network, the data, the optimiser), whether its cost
//! axis is logarithmic and the accuracies drawn beside the cost; the decision
//! boundary's classes, axes and test points.

use ndarray::Array2;

use crate::config::ModelSpec;
use crate::output::Output;

/// One line of a plot: a name and its (iteration, value) points.
pub type Series<'a> = (&'a str, &'a [(usize, f64)]);

/// A learning curve: the costs, and beside them the accuracies.
pub struct Curve<'a> {
    /// The title ([`title`]).
    pub title: String,
    /// The x axis: "iterations" or "epochs".
    pub unit: &'a str,
    /// (name, (iteration, cost) points): train, test, validation.
    pub costs: Vec<Series<'a>>,
    /// Accuracies recorded while training (validation), as (name, points).
    pub accuracies: Vec<Series<'a>>,
    /// The trained model's accuracies (train, test), drawn at `trained_at`.
    pub final_accuracies: Vec<(&'a str, f64)>,
    /// The iteration (or epoch) whose weights the model keeps: the last, or
    /// the best one after early stopping.
    pub trained_at: usize,
}

/// A decision boundary of 2-feature data: the regions of each class, the
/// training points (dots) and the test points (crosses).
pub struct Boundary<'a> {
    /// The title.
    pub title: String,
    /// The x and y axes' names (the two features).
    pub axes: [String; 2],
    /// The class names, index = label (the legend).
    pub classes: &'a [String],
    /// The training set: X (2 × m) and Y (1 × m, class indices).
    pub train: (&'a Array2<f64>, &'a Array2<f64>),
    /// The test set, drawn apart, if any.
    pub test: Option<(&'a Array2<f64>, &'a Array2<f64>)>,
}

impl Boundary<'_> {
    /// The axes' ranges: each feature's smallest and largest value over the
    /// training and test points, widened by 1 on each side; `None` when a
    /// range's width is not finite (features near ±1.8e308, or not finite):
    /// no figure can show it, and drawing one would not end.
    ///
    /// ```
    /// use backprop::figure::Boundary;
    /// let (y, classes) = (ndarray::array![[0.0, 1.0]], ["a".to_string(), "b".to_string()]);
    /// let figure = |x| Boundary { title: String::new(), axes: Default::default(), classes: &classes, train: (x, &y), test: None };
    /// let x = ndarray::array![[0.0, 2.0], [-1.0, 1.0]];
    /// assert_eq!(figure(&x).extent(), Some([(-1.0, 3.0), (-2.0, 2.0)]));
    /// let huge = ndarray::array![[-1e308, 1e308], [0.0, 1.0]];
    /// assert_eq!(figure(&huge).extent(), None);
    /// ```
    pub fn extent(&self) -> Option<[(f64, f64); 2]> {
        let range = |r: usize| {
            let values = || {
                std::iter::once(self.train.0)
                    .chain(self.test.map(|t| t.0))
                    .flat_map(|x| x.row(r).to_vec())
            };
            let lo = values().fold(f64::INFINITY, f64::min) - 1.0;
            let hi = values().fold(f64::NEG_INFINITY, f64::max) + 1.0;
            (hi - lo).is_finite().then_some((lo, hi))
        };
        Some([range(0)?, range(1)?])
    }
}

/// The costs' largest over their median above which the cost axis is logarithmic.
pub const LOG_RATIO: f64 = 10.0;

/// Whether the cost axis should be logarithmic: the first points dwarf the
/// rest (the largest cost over the median cost exceeds [`LOG_RATIO`]), so a
/// linear axis would flatten everything after them. Needs every finite cost > 0.
///
/// ```
/// use backprop::figure::log_cost_axis;
/// let steep = [(0, 70.0), (1, 0.9), (2, 0.5), (3, 0.4)];
/// assert!(log_cost_axis(&[("train", &steep)]));
/// let course = [(0, 0.69), (100, 0.5), (200, 0.3)];
/// assert!(!log_cost_axis(&[("train", &course)]));
/// ```
pub fn log_cost_axis(series: &[Series<'_>]) -> bool {
    let mut costs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .filter(|c| c.is_finite())
        .collect();
    if costs.len() < 2 || costs.iter().any(|&c| c <= 0.0) {
        return false;
    }
    costs.sort_by(f64::total_cmp);
    let median = costs[costs.len() / 2];
    let max = costs[costs.len() - 1];
    max / median > LOG_RATIO
}

/// The title of a learning curve: the network (layer sizes, the hidden and
/// output activations), the data (its file name) and the optimiser, e.g.
/// "4-64-3 relu/softmax · iris.csv · adam α=0.003, batch 32".
///
/// ```
/// let spec = backprop::ModelSpec::default();
/// let t = backprop::figure::title(&[12288, 20, 7, 5, 1], Some(&spec), Some("train_catvnoncat.h5"));
/// assert_eq!(t, "12288-20-7-5-1 relu/sigmoid · train_catvnoncat.h5 · gd α=0.0075, full batch");
/// ```
pub fn title(layer_sizes: &[usize], spec: Option<&ModelSpec>, data: Option<&str>) -> String {
    let sizes: Vec<String> = layer_sizes.iter().map(usize::to_string).collect();
    let output = Output::for_units(layer_sizes.last().copied().unwrap_or(1));
    let mut network = sizes.join("-");
    let hidden = layer_sizes.len() > 2;
    match spec {
        Some(s) if hidden => {
            network.push_str(&format!(" {}/{}", s.activation.name(), output.name()))
        }
        _ => network.push_str(&format!(" {}", output.name())),
    }
    let mut parts = vec![network];
    if let Some(d) = data {
        parts.push(d.to_string());
    }
    if let Some(s) = spec {
        let batch = match s.gd.batch_size {
            Some(b) => format!("batch {b}"),
            None => "full batch".to_string(),
        };
        parts.push(format!(
            "{} α={}, {batch}",
            s.gd.optimizer.name(),
            s.gd.learning_rate
        ));
    }
    parts.join(" · ")
}

/// The title from a run's recorded configuration (`Metrics::config`: a
/// `train` job's, whose "model" is the spec and "train" the data, or a bare
/// spec), falling back to the layer sizes and learning rate alone.
pub fn title_from_config(
    layer_sizes: &[usize],
    config: &serde_json::Value,
    learning_rate: f64,
) -> String {
    let spec = config
        .get("model")
        .and_then(|m| serde_json::from_value::<ModelSpec>(m.clone()).ok())
        .or_else(|| serde_json::from_value::<ModelSpec>(config.clone()).ok());
    let data = config
        .get("train")
        .and_then(|t| t.as_str())
        .map(|t| {
            std::path::Path::new(t)
                .file_name()
                .map_or(t.to_string(), |n| n.to_string_lossy().into_owned())
        })
        .filter(|t| !t.is_empty());
    match spec {
        Some(s) => title(layer_sizes, Some(&s), data.as_deref()),
        None => format!(
            "{} · learning rate {learning_rate}",
            title(layer_sizes, None, data.as_deref())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_axis_turns_on_only_when_the_first_points_dwarf_the_rest() {
        let steep: Vec<(usize, f64)> = std::iter::once((0, 70.0))
            .chain((1..20).map(|i| (i, 1.0 / i as f64)))
            .collect();
        assert!(log_cost_axis(&[("train", &steep)]));
        // Exactly at the ratio: linear.
        let edge = [(0, 10.0), (1, 1.0), (2, 1.0)];
        assert!(!log_cost_axis(&[("train", &edge)]));
        // A zero or a single point: linear (a log axis cannot show them).
        assert!(!log_cost_axis(&[(
            "train",
            &[(0, 70.0), (1, 0.0), (2, 1.0)]
        )]));
        assert!(!log_cost_axis(&[("train", &[(0, 70.0)])]));
        // NaNs are ignored; the series are judged together.
        let a = [(0, 50.0), (1, f64::NAN)];
        let b = [(0, 1.0), (1, 2.0)];
        assert!(log_cost_axis(&[("train", &a), ("test", &b)]));
    }

    #[test]
    fn the_title_names_network_data_and_optimiser() {
        let t = ModelSpec::table_default();
        assert_eq!(
            title(&[4, 64, 3], Some(&t), Some("iris.csv")),
            "4-64-3 relu/softmax · iris.csv · adam α=0.003, batch 32"
        );
        let logistic = ModelSpec {
            hidden: vec![],
            ..ModelSpec::default()
        };
        assert_eq!(
            title(&[2, 1], Some(&logistic), None),
            "2-1 sigmoid · gd α=0.0075, full batch"
        );
    }

    #[test]
    fn the_title_is_read_from_a_jobs_recorded_config() {
        let spec = ModelSpec::default();
        let job = serde_json::json!({"train": "/data/sets/train.h5", "model": spec});
        assert_eq!(
            title_from_config(&[8, 20, 7, 5, 1], &job, 0.0075),
            "8-20-7-5-1 relu/sigmoid · train.h5 · gd α=0.0075, full batch"
        );
        let bare = serde_json::to_value(&spec).unwrap();
        assert!(title_from_config(&[8, 20, 7, 5, 1], &bare, 0.0075).ends_with("full batch"));
        assert_eq!(
            title_from_config(&[2, 1], &serde_json::Value::Null, 0.5),
            "2-1 sigmoid · learning rate 0.5"
        );
    }
}
