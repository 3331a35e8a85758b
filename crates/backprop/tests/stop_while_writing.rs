//! A stop (Ctrl-C or SIGTERM: the CLI's handler calls `stop::request`) that
//! lands while a finished run's folder is written — the model, metrics.json,
//! the learning curve, the decision boundary — no longer loses the run: the
//! job's final write runs to its end (`stop::finishing`: seconds at most) and
//! the request stays set for the door to see. Outside that phase the writers
//! still stop: the plots alone return `Error::Stopped` and leave no
//! half-drawn picture.
//!
//! The stop flag is process-wide, so everything that sets it is in this one
//! test (its own test binary, one test: nothing else runs beside it).

use std::path::{Path, PathBuf};

use backprop::figure::{Boundary, Curve};
use backprop::job::{run_train, Hooks};
use backprop::{plot, stop, Error, TrainConfig};
use ndarray::Array2;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("backprop-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

fn stopped(result: Result<(), Error>) -> String {
    match result {
        Err(e @ Error::Stopped { .. }) => e.to_string(),
        other => panic!("expected Error::Stopped, got {other:?}"),
    }
}

/// Trains 5 iterations on a 2-feature CSV (so the run folder gets a
/// decision boundary too); the stop comes once the data is loaded, and the
/// trainer is not handed the flag, so training ends normally and the stop
/// lands in the writing of the run folder, which completes all the same.
fn stop_during_the_run_folder() {
    let dir = scratch("stop-writing-run");
    let mut csv = String::from("a,b,label\n");
    for i in 0..40 {
        let (a, b) = ((i % 7) as f64 / 7.0, (i % 5) as f64 / 5.0);
        csv.push_str(&format!("{a},{b},{}\n", u8::from(a > b)));
    }
    std::fs::write(dir.join("data.csv"), csv).unwrap();
    let mut config = TrainConfig::new(dir.join("data.csv"), dir.join("run"));
    config.model.hidden = vec![3];
    config.model.gd.iterations = 5;
    let hooks = Hooks {
        load_progress: &|_, _| {},
        loaded: &mut |_, _| stop::request(),
        iteration: &mut |_| {},
        stop: None,
        collective: None,
    };
    let result = run_train(&config, hooks);
    let still_requested = stop::requested();
    stop::clear();
    if let Err(e) = result {
        panic!("the final write was stopped: {e}");
    }
    assert!(still_requested, "the request stays for the door to see");
    assert_eq!(
        names(&dir),
        ["data.csv", "run"],
        "no temporary or lock left"
    );
    let run = names(&dir.join("run"));
    for file in [
        "model.json",
        "model.safetensors",
        "metrics.json",
        "decision_boundary.svg",
        "learning_curve.png",
    ] {
        assert!(run.iter().any(|n| n == file), "{file} in {run:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The plots themselves poll the flag before each picture (PNG, SVG).
#[cfg(feature = "plot")]
fn stop_during_the_plots() {
    let dir = scratch("stop-writing-plots");
    let costs = [(0usize, 0.7), (1, 0.6)];
    let curve = Curve {
        title: "t".into(),
        unit: "iterations",
        costs: vec![("train", &costs[..])],
        accuracies: Vec::new(),
        final_accuracies: vec![("train", 1.0)],
        trained_at: 1,
    };
    let x = Array2::from_shape_vec((2, 2), vec![0.0, 1.0, 0.0, 1.0]).unwrap();
    let y = Array2::from_shape_vec((1, 2), vec![0.0, 1.0]).unwrap();
    let classes = ["a".to_string(), "b".to_string()];
    let boundary = Boundary {
        title: "t".into(),
        axes: ["x1".into(), "x2".into()],
        classes: &classes,
        train: (&x, &y),
        test: None,
    };
    let classify = |g: &Array2<f64>| vec![0; g.ncols()];
    stop::request();
    let curve_stop = stopped(plot::learning_curve(&dir, &curve));
    let boundary_stop = stopped(plot::decision_boundary(&dir, "b", &boundary, &classify));
    stop::clear();
    assert!(curve_stop.contains("learning_curve.png"), "{curve_stop}");
    assert!(boundary_stop.contains("b.png"), "{boundary_stop}");
    assert!(names(&dir).is_empty(), "nothing drawn: {:?}", names(&dir));
    plot::learning_curve(&dir, &curve).unwrap();
    assert_eq!(names(&dir), ["learning_curve.png", "learning_curve.svg"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_stop_while_the_final_write_runs_completes_it_and_the_plots_alone_stop() {
    stop_during_the_run_folder();
    #[cfg(feature = "plot")]
    stop_during_the_plots();
}
