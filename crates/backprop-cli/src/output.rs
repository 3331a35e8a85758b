//! What the commands print: the course's cost lines and accuracy lines.

use backprop::train::Progress;

/// Prints "Cost after iteration i: J" at each recorded iteration, as the course does.
pub fn print_costs() -> impl FnMut(Progress) {
    |p: Progress| {
        if p.recorded {
            println!("Cost after iteration {}: {:.6}", p.iteration, p.cost);
        }
    }
}

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
