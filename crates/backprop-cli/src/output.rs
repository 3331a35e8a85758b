//! What the commands print: the course's cost lines, progress bars, accuracy lines.

use backprop::train::Progress;

/// `println!` that never panics or stops the run: under `train`, SIGPIPE is
/// ignored (main.rs), so a reader that went away (`backprop train … | head -1`)
/// only loses the line, and the run goes on to write its folder.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use outln;

/// `eprintln!` as [`outln`] is `println!` (`train … 2>&1 | head -1`).
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use errln;

/// `print!` as [`outln`] is `println!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use out;

/// "99.04 % (207/209)".
pub fn accuracy_line(accuracy: f64, m: usize) -> String {
    format!(
        "{:.2} % ({}/{})",
        accuracy * 100.0,
        (accuracy * m as f64).round() as usize,
        m
    )
}

/// Now, UTC, as YYYYMMDD-HHMMSS (for default run-folder names).
pub fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The training display: a bar on a terminal (iteration, cost, rate, time
/// left) with the course's cost lines above it; the cost lines alone otherwise;
/// nothing when quiet.
pub struct TrainingProgress {
    chatty: bool,
    bar: Option<indicatif::ProgressBar>,
    terminal: bool,
}

impl TrainingProgress {
    pub fn new(chatty: bool, terminal: bool) -> Self {
        TrainingProgress {
            chatty,
            bar: None,
            terminal,
        }
    }

    pub fn update(&mut self, p: Progress) {
        if !self.chatty {
            return;
        }
        if self.terminal {
            let bar = self.bar.get_or_insert_with(|| {
                let bar = indicatif::ProgressBar::new(p.total as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:30} {pos}/{len} it  cost {msg}  {per_sec}  {elapsed} elapsed, {eta} left",
                    )
                    .expect("valid template"),
                );
                bar
            });
            if p.recorded {
                bar.println(cost_line(&p));
                bar.set_message(format!("{:.6}", p.cost));
            }
            bar.set_position(p.iteration as u64 + 1);
        } else if p.recorded {
            outln!("{}", cost_line(&p));
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// "Cost after iteration i: J" (or "epoch"), as the course prints it, then
/// the validation set's cost and accuracy where it was evaluated.
fn cost_line(p: &Progress) -> String {
    let unit = if p.per_epoch { "epoch" } else { "iteration" };
    let line = format!("Cost after {unit} {}: {:.6}", p.iteration, p.cost);
    match p.validation {
        Some((cost, accuracy)) => format!(
            "{line}  (validation cost {cost:.6}, accuracy {:.2} %)",
            accuracy * 100.0
        ),
        None => line,
    }
}

/// The summary of a run stopped by `--early-stopping`: "stopped early at
/// epoch E; best epoch B (validation cost …, accuracy …)", from its metrics.
pub fn early_stop_line(m: &backprop::Metrics) -> Option<String> {
    if !m.stopped_early {
        return None;
    }
    let unit = if m.per_epoch { "epoch" } else { "iteration" };
    let last = m.iterations.saturating_sub(1);
    let mut line = format!("stopped early at {unit} {last}");
    if let Some(best) = m.best_at {
        line.push_str(&format!("; best {unit} {best}"));
        let cost = m.validation_costs.iter().find(|(i, _)| *i == best);
        let acc = m.validation_accuracies.iter().find(|(i, _)| *i == best);
        if let (Some((_, c)), Some((_, a))) = (cost, acc) {
            line.push_str(&format!(
                " (validation cost {c:.6}, accuracy {:.2} %); its weights are kept",
                a * 100.0
            ));
        }
    }
    Some(line)
}

/// The summary of an L-BFGS run: "L-BFGS converged: … (E cost evaluations)".
pub fn lbfgs_line(m: &backprop::Metrics) -> Option<String> {
    let evaluations = m.lbfgs_evaluations?;
    let how = m.lbfgs_stop.map_or(
        "ran all its iterations",
        backprop::optim::LbfgsStop::describe,
    );
    Some(format!("L-BFGS {how} ({evaluations} cost evaluations)"))
}

/// A bar for decoding many pictures (shown for more than a few hundred files, on a terminal).
pub struct LoadBar {
    enabled: bool,
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl LoadBar {
    pub fn new(enabled: bool) -> Self {
        LoadBar {
            enabled,
            bar: std::sync::OnceLock::new(),
        }
    }

    pub fn tick(&self, done: usize, total: usize) {
        if !self.enabled || total <= 300 {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "decoding {bar:30} {pos}/{len} pictures  {per_sec}  {eta} left",
                )
                .expect("valid template"),
            );
            bar
        });
        bar.set_position(done as u64);
    }

    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
