//! The f × f window a convolution or a pooling layer slides over a volume.

use crate::error::Error;

/// An f × f window moved by `stride` over the input padded with `pad` zeros
/// on each side (pooling: `pad` 0), the course's `hparameters`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The window's height and width.
    pub f: usize,
    /// How far the window moves between outputs.
    pub stride: usize,
    /// Zeros added on each side of the height and width.
    pub pad: usize,
}

impl Window {
    /// The window, refused when f or the stride is 0.
    pub fn new(f: usize, stride: usize, pad: usize) -> Result<Self, Error> {
        if f == 0 || stride == 0 {
            return Err(Error::Config(format!(
                "a {f}×{f} window with stride {stride} cannot slide: the window size and the stride must be at least 1"
            )));
        }
        Ok(Window { f, stride, pad })
    }

    /// n_out = ⌊(n_prev + 2·pad − f)/stride⌋ + 1, refused when the window is
    /// larger than the padded input.
    pub fn out_len(&self, n_prev: usize) -> Result<usize, Error> {
        let padded = n_prev + 2 * self.pad;
        if self.f > padded || self.stride == 0 {
            return Err(Error::Config(format!(
                "a {f}×{f} window does not fit an input of {n_prev} with padding {pad}: use a window of at most {padded}, or more padding",
                f = self.f,
                pad = self.pad
            )));
        }
        Ok((padded - self.f) / self.stride + 1)
    }

    /// (n_H, n_W) of the output for an input of n_H_prev × n_W_prev.
    pub fn out_dims(&self, n_h_prev: usize, n_w_prev: usize) -> Result<(usize, usize), Error> {
        Ok((self.out_len(n_h_prev)?, self.out_len(n_w_prev)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_size_is_the_courses_floor_formula() {
        // The course: 4×4 input, f 2, pad 2, stride 2 → ⌊(4 − 2 + 4)/2⌋ + 1 = 4.
        assert_eq!(Window::new(2, 2, 2).unwrap().out_len(4).unwrap(), 4);
        // 5×7, f 3, pad 1, stride 2 → 3 × 4.
        assert_eq!(
            Window::new(3, 2, 1).unwrap().out_dims(5, 7).unwrap(),
            (3, 4)
        );
    }

    #[test]
    fn a_window_that_cannot_slide_or_fit_is_refused_in_words() {
        assert!(Window::new(0, 1, 0).is_err());
        assert!(Window::new(3, 0, 0).is_err());
        let e = Window::new(5, 1, 0).unwrap().out_len(3).unwrap_err();
        assert!(e.to_string().contains("does not fit"), "{e}");
    }
}
