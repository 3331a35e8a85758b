//! TensorFlow Playground's input features of a point (x1, x2): the
//! coordinates themselves, their squares, their product and their sines.
//! A data set of two features becomes a data set of the features chosen
//! ([`crossed`]), each row of X one of them and named by it, so the network,
//! its downloads (train.csv's header) and new points made the same way
//! ([`cross`]) all see the same columns.
//!
//! ```
//! use backprop::data::crosses::{cross, Cross};
//! use ndarray::array;
//!
//! let x = array![[1.0, -2.0], [3.0, 0.5]]; // two points (1, 3) and (−2, 0.5)
//! let inputs: Vec<Cross> = ["x1", "x1^2", "x1*x2"].iter().map(|n| n.parse().unwrap()).collect();
//! let crossed = cross(x.view(), &inputs)?;
//! assert_eq!(crossed, array![[1.0, -2.0], [1.0, 4.0], [3.0, -1.0]]);
//! # Ok::<(), backprop::Error>(())
//! ```

use ndarray::{Array2, ArrayView2};

use super::Dataset;
use crate::error::Error;

/// One input feature of a point (x1, x2), as TensorFlow Playground lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cross {
    /// x1.
    X1,
    /// x2.
    X2,
    /// x1².
    X1Squared,
    /// x2².
    X2Squared,
    /// x1·x2.
    X1X2,
    /// sin x1.
    SinX1,
    /// sin x2.
    SinX2,
}

impl Cross {
    /// Every input, in TensorFlow Playground's order.
    pub const ALL: [Cross; 7] = [
        Cross::X1,
        Cross::X2,
        Cross::X1Squared,
        Cross::X2Squared,
        Cross::X1X2,
        Cross::SinX1,
        Cross::SinX2,
    ];

    /// Its name: a column name of the crossed data ("x1^2", "sin(x1)").
    pub fn name(self) -> &'static str {
        match self {
            Cross::X1 => "x1",
            Cross::X2 => "x2",
            Cross::X1Squared => "x1^2",
            Cross::X2Squared => "x2^2",
            Cross::X1X2 => "x1*x2",
            Cross::SinX1 => "sin(x1)",
            Cross::SinX2 => "sin(x2)",
        }
    }

    /// Its value at the point (x1, x2).
    pub fn of(self, x1: f64, x2: f64) -> f64 {
        match self {
            Cross::X1 => x1,
            Cross::X2 => x2,
            Cross::X1Squared => x1 * x1,
            Cross::X2Squared => x2 * x2,
            Cross::X1X2 => x1 * x2,
            Cross::SinX1 => x1.sin(),
            Cross::SinX2 => x2.sin(),
        }
    }
}

impl std::str::FromStr for Cross {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cross::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Cross::ALL.iter().map(|c| c.name()).collect();
                format!("unknown input '{s}' (expected {})", names.join(", "))
            })
    }
}

/// X of two features (2 × m: rows x1 and x2) as the rows `inputs` name, in
/// their order. Refuses X of another number of features, no input, and an
/// input named twice.
pub fn cross(x: ArrayView2<'_, f64>, inputs: &[Cross]) -> Result<Array2<f64>, Error> {
    if x.nrows() != 2 {
        return Err(Error::Config(format!(
            "the inputs x1², x1·x2, sin x1 … are made from two features (x1, x2); this data has {}",
            x.nrows()
        )));
    }
    if inputs.is_empty() {
        let names: Vec<&str> = Cross::ALL.iter().map(|c| c.name()).collect();
        return Err(Error::Config(format!(
            "no input chosen: choose at least one of {}",
            names.join(", ")
        )));
    }
    for (i, c) in inputs.iter().enumerate() {
        if let Some(first) = inputs[..i].iter().position(|d| d == c) {
            return Err(Error::Config(format!(
                "the input {} is chosen twice (at {first} and {i}); choose each once",
                c.name()
            )));
        }
    }
    let mut out = Array2::zeros((inputs.len(), x.ncols()));
    for (j, point) in x.columns().into_iter().enumerate() {
        for (f, c) in inputs.iter().enumerate() {
            out[(f, j)] = c.of(point[0], point[1]);
        }
    }
    Ok(out)
}

/// The data set `d` (two features) with X made of `inputs` ([`cross`]),
/// each feature named by its input, for the network, its downloads and its
/// model file alike.
pub fn crossed(d: &Dataset, inputs: &[Cross]) -> Result<Dataset, Error> {
    let x = cross(d.x.view(), inputs)?;
    let mut out = Dataset { x, ..d.clone() };
    out.preprocessing.feature_names = Some(inputs.iter().map(|c| c.name().to_string()).collect());
    out.preprocessing.example_shape = vec![inputs.len()];
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn each_input_is_its_formula_and_its_name_reads_back() {
        let (x1, x2) = (0.7f64, -1.3f64);
        let want = [x1, x2, x1 * x1, x2 * x2, x1 * x2, x1.sin(), x2.sin()];
        for (c, w) in Cross::ALL.into_iter().zip(want) {
            assert_eq!(c.of(x1, x2), w, "{c:?}");
            assert_eq!(c.name().parse::<Cross>(), Ok(c));
        }
        let err = "x3".parse::<Cross>().unwrap_err();
        assert!(err.contains("'x3'") && err.contains("sin(x2)"), "{err}");
    }

    #[test]
    fn a_data_set_is_crossed_column_by_column_and_named() {
        let d = super::super::points::two_d("t", vec![1.0, 2.0, -3.0, 0.5], vec![0.0, 1.0], 2);
        let c = crossed(&d, &[Cross::SinX2, Cross::X1X2, Cross::X1]).unwrap();
        assert_eq!(
            c.x,
            array![[2f64.sin(), 0.5f64.sin()], [2.0, -1.5], [1.0, -3.0]]
        );
        assert_eq!(c.y, d.y);
        let names = c.preprocessing.feature_names.unwrap();
        assert_eq!(names, ["sin(x2)", "x1*x2", "x1"]);
        assert_eq!(c.preprocessing.example_shape, [3]);
        // All seven, and the two alone: the data as it was.
        assert_eq!(crossed(&d, &Cross::ALL).unwrap().features(), 7);
        assert_eq!(crossed(&d, &[Cross::X1, Cross::X2]).unwrap().x, d.x);
    }

    #[test]
    fn other_data_no_input_and_an_input_twice_are_refused() {
        let three = Array2::<f64>::zeros((3, 4));
        let e = cross(three.view(), &[Cross::X1]).unwrap_err().to_string();
        assert!(e.contains("two features") && e.contains("has 3"), "{e}");
        let two = Array2::<f64>::zeros((2, 4));
        let e = cross(two.view(), &[]).unwrap_err().to_string();
        assert!(e.contains("at least one"), "{e}");
        let e = cross(two.view(), &[Cross::X1, Cross::SinX1, Cross::X1])
            .unwrap_err()
            .to_string();
        assert!(e.contains("x1 is chosen twice (at 0 and 2)"), "{e}");
    }
}
