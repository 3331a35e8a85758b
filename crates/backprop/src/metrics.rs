//! Scores of predictions against labels: accuracy, precision, recall, F1,
//! log loss and the confusion matrix (the positive class is label 1).

use ndarray::ArrayView2;
use serde::Serialize;

use crate::linalg::Float;

/// The fraction (0..1) of columns where the prediction equals the label.
pub fn accuracy<T: Float>(predicted: ArrayView2<'_, T>, labels: ArrayView2<'_, T>) -> f64 {
    let m = labels.len();
    if m == 0 {
        return f64::NAN;
    }
    let right = predicted
        .iter()
        .zip(labels.iter())
        .filter(|(p, y)| p == y)
        .count();
    right as f64 / m as f64
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
