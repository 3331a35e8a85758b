//! Pictures of a run: the learning curve (cost against iteration, as the notes
//! plot it, with the accuracies beside it) and, for 2-feature data, the
//! decision boundary (the course's planar pictures). Each is written as PNG
//! and SVG; what they show is decided in [`crate::figure`].
//!
//! The text is drawn with DejaVu Sans, embedded in the binary and registered at
//! first use, so no system font (fontconfig, freetype) is needed.

use std::path::Path;
use std::sync::Once;

use ndarray::Array2;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::error::Error;
use crate::figure::{Boundary, Curve};

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
/// The learning curve is wider: the cost and the accuracy side by side.
const CURVE_SIZE: (u32, u32) = (1200, 520);

fn plot_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::format(path, format!("cannot draw the plot ({e})"))
}

/// Writes `<stem>.png` and `<stem>.svg` in `dir`, each `$size` and drawn by `$draw(area)`.
macro_rules! png_and_svg {
    ($dir:expr, $stem:expr, $size:expr, $draw:ident ( $($arg:expr),* )) => {{
        ensure_font();
        let png = $dir.join(format!("{}.png", $stem));
        let svg = $dir.join(format!("{}.svg", $stem));
        // A stop (Ctrl-C, SIGTERM) takes effect between pictures: each is drawn
        // in well under a second, into a run folder not yet in place.
        crate::stop::check(&format!("writing {}", png.display()))?;
        $draw(BitMapBackend::new(&png, $size).into_drawing_area(), $($arg),*)
            .map_err(|e| plot_error(&png, e))?;
        crate::stop::check(&format!("writing {}", svg.display()))?;
        $draw(SVGBackend::new(&svg, $size).into_drawing_area(), $($arg),*)
            .map_err(|e| plot_error(&svg, e))?;
        Ok(())
    }};
}

type Area<DB> = DrawingArea<DB, plotters::coord::Shift>;

const COLORS: [RGBColor; 4] = [BLUE, RED, GREEN, MAGENTA];

/// `learning_curve.png`/`.svg` in `dir`: each series' cost against iteration
/// (or epoch), on a logarithmic axis when the first costs dwarf the rest
/// ([`crate::figure::log_cost_axis`]), and beside it the accuracies.
pub fn learning_curve(dir: &Path, curve: &Curve<'_>) -> Result<(), Error> {
    png_and_svg!(
        dir,
        "learning_curve",
        CURVE_SIZE,
        draw_learning_curve(curve)
    )
}

fn draw_learning_curve<DB: DrawingBackend>(
    area: Area<DB>,
    curve: &Curve<'_>,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    area.fill(&WHITE).map_err(|e| err(&e))?;
    let area = area
        .titled(&curve.title, ("sans-serif", 20))
        .map_err(|e| err(&e))?;
    let (left, right) = area.split_horizontally(CURVE_SIZE.0 * 3 / 5);
    let max_it = curve
        .costs
        .iter()
        .chain(&curve.accuracies)
        .flat_map(|s| s.1.iter().map(|p| p.0))
        .max()
        .unwrap_or(1)
        .max(1);
    let finite = || {
        curve
            .costs
            .iter()
            .flat_map(|s| s.1.iter().map(|p| p.1))
            .filter(|c| c.is_finite())
    };
    let max_cost = finite().fold(0.0f64, f64::max).max(1e-9) * 1.05;
    if crate::figure::log_cost_axis(&curve.costs) {
        let min_cost = finite().fold(f64::INFINITY, f64::min) / 1.05;
        let chart = ChartBuilder::on(&left)
            .caption("cost (log scale)", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0usize..max_it, (min_cost..max_cost).log_scale())
            .map_err(|e| err(&e))?;
        draw_cost_lines(chart, curve)?;
    } else {
        let chart = ChartBuilder::on(&left)
            .caption("cost", ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0usize..max_it, 0.0..max_cost)
            .map_err(|e| err(&e))?;
        draw_cost_lines(chart, curve)?;
    }
    draw_accuracies(&right, curve, max_it)?;
    area.present().map_err(|e| err(&e))
}

/// The cost lines, their axes and legend, on a linear or logarithmic chart.
fn draw_cost_lines<'a, DB: DrawingBackend + 'a, Y>(
    mut chart: ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordusize, Y>>,
    curve: &Curve<'_>,
) -> Result<(), String>
where
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let err = |e: &dyn std::fmt::Display| e.to_string();
    chart
        .configure_mesh()
        .x_desc(curve.unit)
        .y_desc("cost")
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(|e| err(&e))?;
    for (i, (name, points)) in curve.costs.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        chart
            .draw_series(LineSeries::new(
                points.iter().copied().filter(|p| p.1.is_finite()),
                color.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
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
        .map_err(|e| err(&e))
}

/// The accuracy panel: the recorded accuracies as lines, the trained model's
/// (train, test) as labelled points at the last iteration.
fn draw_accuracies<DB: DrawingBackend>(
    area: &Area<DB>,
    curve: &Curve<'_>,
    max_it: usize,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let mut chart = ChartBuilder::on(area)
        .caption("accuracy (%)", ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(50)
        // Room right of the last iteration for the trained model's markers.
        .build_cartesian_2d(0usize..max_it + max_it / 20 + 1, 0.0..100.0)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc(curve.unit)
        .y_desc("accuracy (%)")
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(|e| err(&e))?;
    for (name, points) in &curve.accuracies {
        let color = accuracy_color(name);
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|&(i, a)| (i, a * 100.0)),
                color.stroke_width(2),
            ))
            .map_err(|e| err(&e))?
            .label(*name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    draw_trained_accuracies(&mut chart, curve)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))
}

/// An accuracy's colour, following the cost panel's: train blue, test red, validation green.
fn accuracy_color(name: &str) -> RGBColor {
    match name {
        "train" => BLUE,
        "test" => RED,
        "validation" => GREEN,
        _ => MAGENTA,
    }
}

/// The trained model's accuracies as labelled triangles at the last iteration.
fn draw_trained_accuracies<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordusize, RangedCoordf64>>,
    curve: &Curve<'_>,
) -> Result<(), String> {
    let last = curve.trained_at;
    for (name, accuracy) in &curve.final_accuracies {
        let color = accuracy_color(name);
        let label = format!("{name} {:.1} % (trained)", accuracy * 100.0);
        chart
            .draw_series(std::iter::once(TriangleMarker::new(
                (last, accuracy * 100.0),
                7,
                color.filled(),
            )))
            .map_err(|e| e.to_string())?
            .label(label)
            .legend(move |(x, y)| TriangleMarker::new((x + 10, y), 6, color.filled()));
    }
    Ok(())
}

/// `<stem>.png`/`.svg` in `dir`: 2-feature points coloured by their class
/// over the regions `classify` assigns to each class (it gives the class of
/// each column of a 2 × k grid): training points as dots, test points as
/// crosses, the axes named after the features, a legend naming the classes.
pub fn decision_boundary(
    dir: &Path,
    stem: &str,
    boundary: &Boundary<'_>,
    classify: &dyn Fn(&Array2<f64>) -> Vec<usize>,
) -> Result<(), Error> {
    let two = |x: &Array2<f64>| x.nrows() == 2;
    if !two(boundary.train.0) || boundary.test.is_some_and(|t| !two(t.0)) {
        return Err(Error::Config(
            "a decision boundary needs exactly 2 features".into(),
        ));
    }
    if boundary.extent().is_none() {
        return Err(Error::Config(format!(
            "{stem}: the features' range is too wide to draw (values near ±1.8e308)"
        )));
    }
    png_and_svg!(dir, stem, SIZE, draw_decision_boundary(boundary, classify))
}

/// Cells per side of the grid the regions are drawn from.
const GRID: usize = 120;
/// Class k's light region colour (red, blue, green, …).
const REGION: [(u8, u8, u8); 6] = [
    (250, 200, 190),
    (190, 210, 250),
    (195, 235, 190),
    (245, 230, 170),
    (225, 200, 240),
    (200, 235, 235),
];
/// Class k's strong point colour.
const POINT: [(u8, u8, u8); 6] = [
    (200, 30, 30),
    (30, 60, 200),
    (30, 140, 40),
    (190, 140, 0),
    (130, 40, 170),
    (0, 130, 130),
];

fn rgb(c: (u8, u8, u8)) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// The chart of a decision boundary: the two features' ranges.
type PlaneChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn draw_decision_boundary<DB: DrawingBackend>(
    area: Area<DB>,
    boundary: &Boundary<'_>,
    classify: &dyn Fn(&Array2<f64>) -> Vec<usize>,
) -> Result<(), String> {
    let extent = boundary
        .extent()
        .ok_or("the features' range is too wide to draw")?;
    let [(x0, x1), (y0, y1)] = extent;
    let grid = centres(extent);
    let classes = classify(&grid);
    let err = |e: &dyn std::fmt::Display| e.to_string();
    area.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&area)
        .caption(&boundary.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(boundary.axes[0].as_str())
        .y_desc(boundary.axes[1].as_str())
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(|e| err(&e))?;
    draw_regions(&mut chart, extent, &grid, &classes)?;
    draw_points(&mut chart, boundary)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(&e))?;
    area.present().map_err(|e| err(&e))
}

/// The centres of a [`GRID`] × [`GRID`] grid over `extent`, as the columns of a 2 × GRID² matrix.
fn centres([(x0, x1), (y0, y1)]: [(f64, f64); 2]) -> Array2<f64> {
    Array2::from_shape_fn((2, GRID * GRID), |(r, k)| {
        let (i, j) = (k % GRID, k / GRID);
        if r == 0 {
            x0 + (x1 - x0) * (i as f64 + 0.5) / GRID as f64
        } else {
            y0 + (y1 - y0) * (j as f64 + 0.5) / GRID as f64
        }
    })
}

/// Each grid cell filled with its class's region colour.
fn draw_regions<'a, DB: DrawingBackend + 'a>(
    chart: &mut PlaneChart<'a, DB>,
    [(x0, x1), (y0, y1)]: [(f64, f64); 2],
    grid: &Array2<f64>,
    classes: &[usize],
) -> Result<(), String> {
    let (dx, dy) = ((x1 - x0) / GRID as f64, (y1 - y0) / GRID as f64);
    chart
        .draw_series((0..GRID * GRID).map(|k| {
            let (gx, gy) = (grid[(0, k)], grid[(1, k)]);
            let c = rgb(REGION[classes[k] % REGION.len()]);
            Rectangle::new(
                [
                    (gx - dx / 2.0, gy - dy / 2.0),
                    (gx + dx / 2.0, gy + dy / 2.0),
                ],
                c.filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The points of each class, in its colour: training points as dots (named in
/// the legend), test points as crosses (with a key for the markers).
fn draw_points<'a, DB: DrawingBackend + 'a>(
    chart: &mut PlaneChart<'a, DB>,
    boundary: &Boundary<'_>,
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let (x, y) = boundary.train;
    let classes = boundary
        .classes
        .len()
        .max(1 + y.iter().fold(0.0f64, |a, &b| a.max(b)) as usize);
    for class in 0..classes {
        let c = rgb(POINT[class % POINT.len()]);
        let name = boundary
            .classes
            .get(class)
            .cloned()
            .unwrap_or_else(|| class.to_string());
        let of = |y: &Array2<f64>, k: usize| y[(0, k)] as usize == class;
        chart
            .draw_series(
                (0..x.ncols())
                    .filter(|&k| of(y, k))
                    .map(|k| Circle::new((x[(0, k)], x[(1, k)]), 3, c.filled())),
            )
            .map_err(|e| err(&e))?
            .label(name)
            .legend(move |(lx, ly)| Circle::new((lx + 8, ly), 4, c.filled()));
        if let Some((tx, ty)) = boundary.test {
            chart
                .draw_series(
                    (0..tx.ncols())
                        .filter(|&k| of(ty, k))
                        .map(|k| Cross::new((tx[(0, k)], tx[(1, k)]), 5, c.stroke_width(2))),
                )
                .map_err(|e| err(&e))?;
        }
    }
    if boundary.test.is_some() {
        // The marker key: dots train, crosses test.
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(|e| err(&e))?
            .label("train: dots, test: crosses")
            .legend(|(lx, ly)| Cross::new((lx + 8, ly), 5, BLACK.stroke_width(2)));
    }
    Ok(())
}
