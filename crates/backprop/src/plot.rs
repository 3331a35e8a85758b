//! Pictures of a run: the learning curve (cost against iteration, as the notes
//! plot it) and, for 2-feature data, the decision boundary (the course's planar
//! pictures). Each is written as PNG and SVG.
//!
//! The text is drawn with DejaVu Sans, embedded in the binary and registered at
//! first use, so no system font (fontconfig, freetype) is needed.

use std::path::Path;
use std::sync::Once;

use ndarray::Array2;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::error::Error;

static FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn ensure_font() {
    REGISTER.call_once(|| {
        // The bytes are a valid TTF shipped with the crate; failure is a build error.
        if register_font("sans-serif", FontStyle::Normal, FONT).is_err() {
            unreachable!("the embedded DejaVu Sans is a valid TTF");
        }
    });
}

const SIZE: (u32, u32) = (800, 520);

fn plot_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::format(path, format!("cannot draw the plot ({e})"))
}

/// Writes `<stem>.png` and `<stem>.svg` in `dir`, each drawn by `$draw(area)`.
macro_rules! png_and_svg {
    ($dir:expr, $stem:expr, $draw:ident ( $($arg:expr),* )) => {{
        ensure_font();
        let png = $dir.join(format!("{}.png", $stem));
        let svg = $dir.join(format!("{}.svg", $stem));
        $draw(BitMapBackend::new(&png, SIZE).into_drawing_area(), $($arg),*)
            .map_err(|e| plot_error(&png, e))?;
        $draw(SVGBackend::new(&svg, SIZE).into_drawing_area(), $($arg),*)
            .map_err(|e| plot_error(&svg, e))?;
        Ok(())
    }};
}

type Area<DB> = DrawingArea<DB, plotters::coord::Shift>;

/// One line of a learning curve: a name and its (iteration, cost) points.
pub type Series<'a> = (&'a str, &'a [(usize, f64)]);

/// `learning_curve.png`/`.svg` in `dir`: each series' cost against iteration,
/// the learning rate in the title.
pub fn learning_curve(dir: &Path, series: &[Series<'_>], learning_rate: f64) -> Result<(), Error> {
    png_and_svg!(
        dir,
        "learning_curve",
        draw_learning_curve(series, learning_rate)
    )
}

fn draw_learning_curve<DB: DrawingBackend>(
    area: Area<DB>,
    series: &[Series<'_>],
    learning_rate: f64,
) -> Result<(), String> {
    let title = format!("Learning rate = {learning_rate}");
    let max_it = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.0))
        .max()
        .unwrap_or(1)
        .max(1);
    let max_cost = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .filter(|c| c.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.05;
    {
        area.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&area)
            .caption(&title, ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(0usize..max_it, 0.0..max_cost)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("iterations")
            .y_desc("cost")
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()
            .map_err(|e| e.to_string())?;
        let colors = [BLUE, RED, GREEN, MAGENTA];
        for (i, (name, points)) in series.iter().enumerate() {
            let color = colors[i % colors.len()];
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        area.present().map_err(|e| e.to_string())
    }
}

/// `<stem>.png`/`.svg` in `dir`: 2-feature points X (2 × m) coloured by label Y
/// over the regions where `proba` (P(y = 1) for each column of a 2 × k grid) is > 0.5.
pub fn decision_boundary(
    dir: &Path,
    stem: &str,
    title: &str,
    x: &Array2<f64>,
    y: &Array2<f64>,
    proba: &dyn Fn(&Array2<f64>) -> Vec<f64>,
) -> Result<(), Error> {
    if x.nrows() != 2 {
        return Err(Error::Config(
            "a decision boundary needs exactly 2 features".into(),
        ));
    }
    png_and_svg!(dir, stem, draw_decision_boundary(title, x, y, proba))
}

fn draw_decision_boundary<DB: DrawingBackend>(
    area: Area<DB>,
    title: &str,
    x: &Array2<f64>,
    y: &Array2<f64>,
    proba: &dyn Fn(&Array2<f64>) -> Vec<f64>,
) -> Result<(), String> {
    let range = |r: usize| {
        let row = x.row(r);
        let lo = row.iter().copied().fold(f64::INFINITY, f64::min) - 1.0;
        let hi = row.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 1.0;
        (lo, hi)
    };
    let ((x0, x1), (y0, y1)) = (range(0), range(1));
    const N: usize = 120;
    let grid = Array2::from_shape_fn((2, N * N), |(r, k)| {
        let (i, j) = (k % N, k / N);
        if r == 0 {
            x0 + (x1 - x0) * (i as f64 + 0.5) / N as f64
        } else {
            y0 + (y1 - y0) * (j as f64 + 0.5) / N as f64
        }
    });
    let p = proba(&grid);
    let (dx, dy) = ((x1 - x0) / N as f64, (y1 - y0) / N as f64);
    let region = [RGBColor(250, 200, 190), RGBColor(190, 210, 250)];
    let point = [RGBColor(200, 30, 30), RGBColor(30, 60, 200)];
    {
        area.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("x1")
            .y_desc("x2")
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series((0..N * N).map(|k| {
                let (gx, gy) = (grid[(0, k)], grid[(1, k)]);
                let c = region[usize::from(p[k] > 0.5)];
                Rectangle::new(
                    [
                        (gx - dx / 2.0, gy - dy / 2.0),
                        (gx + dx / 2.0, gy + dy / 2.0),
                    ],
                    c.filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series((0..x.ncols()).map(|k| {
                let c = point[usize::from(y[(0, k)] > 0.5)];
                Circle::new((x[(0, k)], x[(1, k)]), 3, c.filled())
            }))
            .map_err(|e| e.to_string())?;
        area.present().map_err(|e| e.to_string())
    }
}
