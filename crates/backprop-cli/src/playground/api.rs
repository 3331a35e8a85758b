//! The JSON API beside the event stream (docs/playground.md lists every route):
//! create a run, read its facts, send it commands, check its gradients,
//! download its model and data, upload a CSV.

use std::io::Cursor;
use std::sync::Arc;

use backprop::gradcheck::{check_with_l2, EPSILON, THRESHOLD};
use backprop::{explain, model_io};
use serde_json::{json, Value};
use tiny_http::{Method, Request, Response};

use super::assets;
use super::data::{self, RunData};
use super::run::{lock, Run};
use super::server::{error, header, json_response, read_body, App, MAX_UPLOADS};
use super::spec::{RunRequest, RunSpec};
use super::trainer::Trainer;

type Reply = Response<Cursor<Vec<u8>>>;

/// The most examples the gradient check differentiates over.
const GRADCHECK_EXAMPLES: usize = 100;

/// Answers one request (all but the event stream).
pub fn route(app: &Arc<App>, method: &Method, parts: &[&str], request: &mut Request) -> Reply {
    match (method, parts) {
        (Method::Get, [""]) => asset("text/html; charset=utf-8", assets::INDEX),
        (Method::Get, ["app.js"]) => asset("text/javascript; charset=utf-8", assets::APP_JS),
        (Method::Get, ["style.css"]) => asset("text/css; charset=utf-8", assets::STYLE),
        (Method::Post, ["api", "runs"]) => match read_body(request) {
            Ok(body) => create_run(app, &body),
            Err((status, message)) => error(status, &message),
        },
        (Method::Post, ["api", "uploads"]) => match read_body(request) {
            Ok(body) => upload(app, &body),
            Err((status, message)) => error(status, &message),
        },
        (_, ["api", "runs", id, rest @ ..]) => {
            let Some(run) = lock(&app.runs).get(*id).cloned() else {
                return error(404, "no such run (it ended, or the server restarted)");
            };
            lock(&run.shared).touched = std::time::Instant::now();
            run_route(app, &run, method, rest, request)
        }
        (_, ["api", ..]) => error(404, "no such API route; see docs/playground.md"),
        _ => error(404, "not found"),
    }
}

fn asset(kind: &str, text: &'static str) -> Reply {
    Response::from_string(text)
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
}

fn run_route(
    app: &Arc<App>,
    run: &Arc<Run>,
    method: &Method,
    rest: &[&str],
    request: &mut Request,
) -> Reply {
    match (method, rest) {
        (Method::Get, []) => json_response(200, &run.info),
        (Method::Delete, []) | (Method::Post, ["stop"]) => {
            app.drop_run(&run.id);
            json_response(200, &json!({ "stopped": true }))
        }
        (Method::Post, [what @ ("play" | "pause" | "step")]) => {
            let steps = if *what == "step" {
                let body = read_body(request).unwrap_or_default();
                let n = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|v| v.get("epochs").and_then(Value::as_u64))
                    .unwrap_or(1);
                if !(1..=1_000_000).contains(&n) {
                    return error(400, "step: epochs must be 1..1000000");
                }
                n as usize
            } else {
                0
            };
            match run.command(what, steps) {
                Ok(()) => json_response(200, &json!({ "ok": true })),
                Err(e) => error(409, &e),
            }
        }
        (Method::Post, ["gradcheck"]) => gradcheck(run),
        (Method::Get, [file @ ("model.safetensors" | "model.json")]) => model_file(app, run, file),
        (Method::Get, [file @ ("train.csv" | "test.csv")]) => data_file(app, run, file),
        _ => error(404, "no such route for a run; see docs/playground.md"),
    }
}

fn create_run(app: &Arc<App>, body: &[u8]) -> Reply {
    let request: RunRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return error(400, &format!("the body is not a run's settings: {e}")),
    };
    let spec = match request.validate() {
        Ok(s) => s,
        Err(e) => return error(400, &e),
    };
    let upload = spec.request.upload.as_ref().and_then(|id| {
        lock(&app.uploads)
            .iter()
            .find(|(u, _)| u == id)
            .map(|(_, d)| Arc::clone(d))
    });
    let run_data = match data::make(&spec.request, upload.as_deref()) {
        Ok(d) => d,
        Err(e) => return error(400, &e),
    };
    if let Some(b) = spec.request.batch_size {
        if b > run_data.train.examples() {
            return error(
                400,
                &format!(
                    "batch_size {b} is more than the {} training examples",
                    run_data.train.examples()
                ),
            );
        }
    }
    if let Err(e) = app.make_room() {
        return error(429, &e);
    }
    let info_data = info(&spec, &run_data);
    let trainer = match Trainer::new(&spec, run_data) {
        Ok(t) => t,
        Err(e) => return error(400, &e),
    };
    let id = app.new_id("r");
    let mut info_data = info_data;
    info_data["id"] = json!(id);
    let run = Run::new(
        id.clone(),
        info_data,
        trainer,
        spec.request.epochs,
        !spec.request.paused,
    );
    lock(&app.runs).insert(id.clone(), Arc::clone(&run));
    let spawned = std::thread::Builder::new()
        .name(format!("playground-run-{id}"))
        .spawn(move || run.train());
    if spawned.is_err() {
        app.drop_run(&id);
        return error(503, "could not start a training thread");
    }
    json_response(201, &json!({ "id": id }))
}

/// The run's facts for `GET /api/runs/{id}`: settings, layer sizes, data
/// points of the two features drawn, the picture's bounds, the equations with
/// the run's shapes, and the equivalent `backprop train` command.
fn info(spec: &RunSpec, d: &RunData) -> Value {
    let r = &spec.request;
    let k = d.train.classes.len();
    let mut sizes = vec![d.train.features()];
    sizes.extend(&r.hidden);
    sizes.push(if k > 2 { k } else { 1 });
    let points = |set: &backprop::data::Dataset| {
        json!({
            "x": set.x.row(d.shown[0]).to_vec(),
            "y": set.x.row(d.shown[1]).to_vec(),
            "label": set.y.iter().map(|v| *v as usize).collect::<Vec<_>>(),
        })
    };
    let uniform = spec.activations.windows(2).all(|w| w[0] == w[1]);
    let g = spec
        .activations
        .first()
        .copied()
        .unwrap_or(backprop::Activation::Tanh);
    let mut model = backprop::ModelSpec {
        hidden: r.hidden.clone(),
        activation: g,
        init: spec.init,
        seed: r.seed,
        ..Default::default()
    };
    model.gd.learning_rate = r.learning_rate;
    model.gd.optimizer = spec.optimizer;
    model.gd.batch_size = r.batch_size;
    model.gd.epochs = Some(r.epochs);
    model.gd.l2 = r.l2;
    if r.keep_prob < 1.0 {
        model.gd.keep_prob = vec![r.keep_prob];
    }
    let equations = explain::equations(&model, d.train.features(), d.train.examples(), k);
    let command = uniform.then(|| train_command(spec, d.test.is_some()));
    json!({
        "settings": r,
        "sizes": sizes,
        "activations": spec.activations.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "output": if k > 2 { "softmax" } else { "sigmoid" },
        "classes": d.train.classes,
        "feature_names": d.train.preprocessing.feature_names,
        "shown": d.shown,
        "bounds": d.bounds,
        "train": points(&d.train),
        "test": d.test.as_ref().map(points),
        "equations": if uniform { Value::from(equations) } else { Value::Null },
        "command": command,
        "epochs": r.epochs,
        "region_grid": super::snapshot::REGION_GRID,
        "unit_grid": super::snapshot::UNIT_GRID,
    })
}

/// The `backprop train` command that trains this run's network from its
/// downloaded train.csv (and test.csv), with the same settings and seed (the
/// playground trains on the raw coordinates: no standardisation).
fn train_command(spec: &RunSpec, has_test: bool) -> String {
    let r = &spec.request;
    let hidden = if r.hidden.is_empty() {
        "none".to_string()
    } else {
        r.hidden
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut c = String::from("backprop train --train train.csv");
    if has_test {
        c.push_str(" --test test.csv");
    }
    c.push_str(&format!(" --hidden {hidden}"));
    if let Some(g) = spec.activations.first() {
        c.push_str(&format!(" --activation {}", g.name()));
    }
    c.push_str(&format!(
        " --init {} --learning-rate {} --optimizer {}",
        spec.init.name(),
        r.learning_rate,
        r.optimizer
    ));
    match r.batch_size {
        Some(b) => c.push_str(&format!(" --batch-size {b} --epochs {}", r.epochs)),
        None => c.push_str(&format!(" --iterations {}", r.epochs)),
    }
    if r.l2 > 0.0 {
        c.push_str(&format!(" --l2 {}", r.l2));
    }
    if r.keep_prob < 1.0 {
        c.push_str(&format!(" --keep-prob {}", r.keep_prob));
    }
    c.push_str(&format!(
        " --no-standardize --seed {} --precision f64 --out runs/playground",
        r.seed
    ));
    c
}

fn gradcheck(run: &Run) -> Reply {
    let mut net = run.network();
    net.clear_dropout();
    let (x, y, l2) = {
        let t = lock(&run.trainer);
        let m = t.x.ncols().min(GRADCHECK_EXAMPLES);
        let cols = ndarray::s![.., ..m];
        (
            t.x.slice(cols).to_owned(),
            t.y.slice(cols).to_owned(),
            t.l2(),
        )
    };
    let report = match check_with_l2(&mut net, x.view(), y.view(), EPSILON, l2) {
        Ok(report) => report,
        Err(e) => return error(409, &e.to_string()),
    };
    let finite = report.overall.is_finite();
    json_response(
        200,
        &json!({
            "overall": if finite { Value::from(report.overall) } else { Value::Null },
            "passed": report.passed(),
            "threshold": THRESHOLD,
            "epsilon": EPSILON,
            "examples": x.ncols(),
            "tensors": report.tensors.iter().map(|t| json!({
                "name": t.name, "count": t.count,
                "relative_difference": if t.relative_difference.is_finite() { Value::from(t.relative_difference) } else { Value::Null },
            })).collect::<Vec<_>>(),
        }),
    )
}

/// A scratch folder under the system's temp folder, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(app: &App) -> std::io::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!(
            "backprop-playground-{}-{}",
            std::process::id(),
            app.new_id("s")
        ));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn download(name: &str, kind: &str, bytes: Vec<u8>) -> Reply {
    Response::from_data(bytes)
        .with_header(header("Content-Type", kind))
        .with_header(header(
            "Content-Disposition",
            &format!("attachment; filename=\"{name}\""),
        ))
        .with_header(header("Cache-Control", "no-store"))
}

/// `model.safetensors` or `model.json` of the network as it is now, written by
/// the library's model_io (so `backprop predict --model` reads the pair).
fn model_file(app: &App, run: &Run, file: &str) -> Reply {
    let uniform = run.info["activations"]
        .as_array()
        .is_some_and(|a| a.windows(2).all(|w| w[0] == w[1]));
    if !uniform {
        return error(
            409,
            "a model file holds one hidden activation; this run mixes them, so it cannot be saved",
        );
    }
    let net = run.network();
    let (classes, pre) = {
        let t = lock(&run.trainer);
        (
            t.data.train.classes.clone(),
            t.data.train.preprocessing.clone(),
        )
    };
    let result = Scratch::new(app)
        .map_err(|e| e.to_string())
        .and_then(|dir| {
            model_io::save(&dir.0, &net, &classes, &pre).map_err(|e| e.to_string())?;
            std::fs::read(dir.0.join(file)).map_err(|e| e.to_string())
        });
    match result {
        Ok(bytes) if file.ends_with(".json") => download(file, "application/json", bytes),
        Ok(bytes) => download(file, "application/octet-stream", bytes),
        Err(e) => error(500, &format!("the model could not be written: {e}")),
    }
}

/// The run's training or test set as a CSV (x1…xn, label), for the equivalent command.
fn data_file(app: &App, run: &Run, file: &str) -> Reply {
    let t = lock(&run.trainer);
    let set = if file == "train.csv" {
        Some(&t.data.train)
    } else {
        t.data.test.as_ref()
    };
    let Some(set) = set else {
        return error(404, "this run has no test set (train_fraction is 1)");
    };
    let result = Scratch::new(app)
        .map_err(|e| e.to_string())
        .and_then(|dir| {
            let path = dir.0.join(file);
            backprop::data::write_csv(&path, set.x.view(), set.y.view())
                .map_err(|e| e.to_string())?;
            std::fs::read(&path).map_err(|e| e.to_string())
        });
    match result {
        Ok(bytes) => download(file, "text/csv", bytes),
        Err(e) => error(500, &format!("the data could not be written: {e}")),
    }
}

/// `POST /api/uploads`: a CSV body, read by the library's CSV reader.
fn upload(app: &App, body: &[u8]) -> Reply {
    let result = Scratch::new(app)
        .map_err(|e| e.to_string())
        .and_then(|dir| {
            let path = dir.0.join("upload.csv");
            std::fs::write(&path, body).map_err(|e| e.to_string())?;
            data::read_upload(&path)
        });
    let set = match result {
        Ok(d) => d,
        Err(e) => return error(400, &format!("the CSV cannot be used: {e}")),
    };
    let id = app.new_id("u");
    let reply = json!({
        "id": id,
        "examples": set.examples(),
        "features": set.features(),
        "feature_names": set.preprocessing.feature_names,
        "classes": set.classes,
    });
    let mut uploads = lock(&app.uploads);
    if uploads.len() >= MAX_UPLOADS {
        uploads.remove(0);
    }
    uploads.push((id, Arc::new(set)));
    json_response(201, &reply)
}
