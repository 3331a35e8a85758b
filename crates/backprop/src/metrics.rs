//! Scores of predictions against labels: accuracy, precision, recall, F1,
//! log loss and the confusion matrix (the positive class is label 1).

use ndarray::ArrayView2;
use serde::Serialize;

use crate::linalg::Float;
use crate::setting::Setting;

pub use crate::overfit::overfit_warning;

/// The fraction (0..1) of columns where the prediction equals the label
/// (for K × m multi-label predictions, all K of the column: subset accuracy).
pub fn accuracy<T: Float>(predicted: ArrayView2<'_, T>, labels: ArrayView2<'_, T>) -> f64 {
    let m = labels.ncols();
    if labels.is_empty() {
        return f64::NAN;
    }
    let right = predicted
        .columns()
        .into_iter()
        .zip(labels.columns())
        .filter(|(p, y)| p == y)
        .count();
    right as f64 / m as f64
}

/// How many columns of `predicted` (class indices, 1 × m) fall in each of `k` classes.
pub fn class_counts<T: Float>(predicted: ArrayView2<'_, T>, k: usize) -> Vec<usize> {
    let mut counts = vec![0; k];
    for p in predicted.iter() {
        if let Some(c) = counts.get_mut(p.as_f64() as usize) {
            *c += 1;
        }
    }
    counts
}

/// A warning when a model predicts the same class for every training
/// example (`counts` from [`class_counts`]), naming it and the likely causes
/// (settings named by their marks: write it with [`crate::Setting::render`]).
pub fn one_class_warning(
    counts: &[usize],
    classes: &[String],
    standardized: bool,
) -> Option<String> {
    one_class_warning_on("training", counts, classes, standardized)
}

/// [`one_class_warning`] for the examples of `set` ("training", "test", a
/// file evaluated): a model that predicts one class for a whole test set
/// (recall 0 for every other class) must not go unmentioned.
pub fn one_class_warning_on(
    set: &str,
    counts: &[usize],
    classes: &[String],
    standardized: bool,
) -> Option<String> {
    let used: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] > 0).collect();
    if used.len() != 1 || counts.len() < 2 {
        return None;
    }
    let class = classes.get(used[0]).map_or("?", String::as_str);
    let scale = if standardized {
        String::new()
    } else {
        format!(
            "features of very different scales (standardise them with {}), ",
            Setting::Standardize
        )
    };
    Some(format!(
        "the model predicts '{class}' for every {set} example; likely causes: {scale}\
         a learning rate too small or too large ({}), too few iterations or \
         epochs, or one class far more common than the others ({} balanced weighs \
         the classes equally)",
        Setting::LearningRate,
        Setting::ClassWeight
    ))
}

/// A warning when the accuracy on `set` ("training", "test") is no better
/// than always answering its most common class (`label_counts`: the set's
/// examples per class, from [`class_counts`] of its labels), naming the class
/// and its share, and what helps (settings named by their marks).
pub fn majority_warning(
    set: &str,
    accuracy: f64,
    label_counts: &[usize],
    classes: &[String],
) -> Option<String> {
    let total: usize = label_counts.iter().sum();
    let (top, &most) = label_counts.iter().enumerate().max_by_key(|&(_, n)| *n)?;
    let share = most as f64 / total as f64;
    if label_counts.len() < 2 || total == 0 || accuracy.is_nan() || accuracy > share {
        return None;
    }
    let class = classes.get(top).map_or("?", String::as_str);
    Some(format!(
        "the {set} accuracy {:.2} % is no better than always answering '{class}' \
         ({:.2} % of the {set} examples): the model has learnt nothing beyond the class \
         shares. Weigh the classes ({} balanced) and judge the model by recall or \
         F1 rather than accuracy",
        100.0 * accuracy,
        100.0 * share,
        Setting::ClassWeight,
    ))
}

/// Every score of a binary classifier on one data set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BinaryScores {
    /// Fraction classified right.
    pub accuracy: f64,
    /// tp / (tp + fp); 0 when nothing is predicted positive.
    pub precision: f64,
    /// tp / (tp + fn); 0 when there are no positives.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
    /// Mean cross-entropy of the probabilities (clipped to [1e-15, 1 − 1e-15], as scikit-learn does).
    pub log_loss: f64,
    /// [[tn, fp], [fn, tp]]: rows are the true class, columns the predicted one.
    pub confusion_matrix: [[usize; 2]; 2],
}

/// Scores probabilities P(y = 1) against labels 0/1, predicting 1 where p > 0.5.
pub fn binary_scores(probabilities: &[f64], labels: &[f64]) -> BinaryScores {
    let mut cm = [[0usize; 2]; 2];
    let mut loss = 0.0;
    for (&p, &y) in probabilities.iter().zip(labels) {
        let predicted = usize::from(p > 0.5);
        cm[y as usize][predicted] += 1;
        let q = p.clamp(1e-15, 1.0 - 1e-15);
        loss -= y * q.ln() + (1.0 - y) * (1.0 - q).ln();
    }
    let m = labels.len() as f64;
    let [[tn, fp], [fn_, tp]] = cm;
    let ratio = |a: usize, b: usize| {
        if a + b == 0 {
            0.0
        } else {
            a as f64 / (a + b) as f64
        }
    };
    let precision = ratio(tp, fp);
    let recall = ratio(tp, fn_);
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };
    BinaryScores {
        accuracy: (tp + tn) as f64 / m,
        precision,
        recall,
        f1,
        log_loss: loss / m,
        confusion_matrix: cm,
    }
}

/// One class's scores among K.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassScores {
    /// The class's name.
    pub class: String,
    /// Of the examples predicted as this class, the fraction that are.
    pub precision: f64,
    /// Of the examples of this class, the fraction predicted as it.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// Examples of this class.
    pub support: usize,
}

/// The scores of a K-class classifier.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MulticlassScores {
    /// Fraction classified right.
    pub accuracy: f64,
    /// Precision averaged over the classes (macro).
    pub precision: f64,
    /// Recall averaged over the classes (macro).
    pub recall: f64,
    /// F1 averaged over the classes (macro).
    pub f1: f64,
    /// Mean categorical cross-entropy (probabilities clipped at 1e-15).
    pub log_loss: f64,
    /// K × K counts: rows are the true class, columns the predicted one.
    pub confusion_matrix: Vec<Vec<usize>>,
    /// Per class, in class order.
    pub per_class: Vec<ClassScores>,
}

/// Scores class probabilities P (K × m, columns summing to 1) against class labels.
pub fn multiclass_scores(
    p: &ndarray::Array2<f64>,
    labels: &[f64],
    classes: &[String],
) -> MulticlassScores {
    let k = p.nrows();
    let mut cm = vec![vec![0usize; k]; k];
    let mut loss = 0.0;
    for (col, &y) in p.columns().into_iter().zip(labels) {
        let predicted = col
            .iter()
            .enumerate()
            .fold(0, |b, (c, v)| if *v > col[b] { c } else { b });
        let y = y as usize;
        cm[y][predicted] += 1;
        loss -= col[y].clamp(1e-15, 1.0).ln();
    }
    let m = labels.len();
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let per_class: Vec<ClassScores> = (0..k)
        .map(|c| {
            let tp = cm[c][c];
            let predicted: usize = (0..k).map(|r| cm[r][c]).sum();
            let support: usize = cm[c].iter().sum();
            let (precision, recall) = (ratio(tp, predicted), ratio(tp, support));
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            ClassScores {
                class: classes.get(c).cloned().unwrap_or_else(|| c.to_string()),
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect();
    let mean = |f: fn(&ClassScores) -> f64| per_class.iter().map(f).sum::<f64>() / k as f64;
    MulticlassScores {
        accuracy: ratio((0..k).map(|c| cm[c][c]).sum(), m),
        precision: mean(|c| c.precision),
        recall: mean(|c| c.recall),
        f1: mean(|c| c.f1),
        log_loss: loss / m as f64,
        confusion_matrix: cm,
        per_class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accuracy_at_or_below_the_majority_share_is_named() {
        let classes = ["no".to_string(), "yes".to_string()];
        let w = majority_warning("test", 0.912, &[94, 6], &classes).unwrap();
        assert!(w.starts_with("the test accuracy 91.20 % is no better than always answering 'no' (94.00 % of the test examples)"), "{w}");
        assert!(
            majority_warning("test", 0.94, &[94, 6], &classes).is_some(),
            "at the share"
        );
        assert_eq!(majority_warning("test", 0.95, &[94, 6], &classes), None);
        assert_eq!(
            majority_warning("test", 0.5, &[10], &classes[..1]),
            None,
            "one class"
        );
        assert_eq!(
            majority_warning("test", f64::NAN, &[0, 0], &classes),
            None,
            "no examples"
        );
    }

    #[test]
    fn scores_of_a_hand_counted_case() {
        // labels 1 1 1 0 0; predicted 1 1 0 1 0 → tp 2, fn 1, fp 1, tn 1.
        let p = [0.9, 0.6, 0.2, 0.7, 0.1];
        let y = [1.0, 1.0, 1.0, 0.0, 0.0];
        let s = binary_scores(&p, &y);
        assert_eq!(s.confusion_matrix, [[1, 1], [1, 2]]);
        assert_eq!(s.accuracy, 0.6);
        assert!((s.precision - 2.0 / 3.0).abs() < 1e-15);
        assert!((s.recall - 2.0 / 3.0).abs() < 1e-15);
        assert!((s.f1 - 2.0 / 3.0).abs() < 1e-15);
        let ll = -(0.9f64.ln() + 0.6f64.ln() + 0.2f64.ln() + 0.3f64.ln() + 0.9f64.ln()) / 5.0;
        assert!((s.log_loss - ll).abs() < 1e-15);
    }

    #[test]
    fn multiclass_scores_of_a_hand_counted_case() {
        // True 0 0 1 2; predicted 0 1 1 2.
        let p = ndarray::array![
            [0.7, 0.2, 0.1, 0.1],
            [0.2, 0.5, 0.8, 0.1],
            [0.1, 0.3, 0.1, 0.8]
        ];
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let s = multiclass_scores(&p, &[0.0, 0.0, 1.0, 2.0], &names);
        assert_eq!(
            s.confusion_matrix,
            vec![vec![1, 1, 0], vec![0, 1, 0], vec![0, 0, 1]]
        );
        assert_eq!(s.accuracy, 0.75);
        assert_eq!(
            (s.per_class[0].precision, s.per_class[0].recall),
            (1.0, 0.5)
        );
        assert_eq!(
            (s.per_class[1].precision, s.per_class[1].recall),
            (0.5, 1.0)
        );
        let ll = -(0.7f64.ln() + 0.2f64.ln() + 0.8f64.ln() + 0.8f64.ln()) / 4.0;
        assert!((s.log_loss - ll).abs() < 1e-15);
    }
}
