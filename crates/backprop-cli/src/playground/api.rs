//! The JSON API beside the event stream (docs/playground.md lists every route):
//! create a run, read its facts, send it commands, check its gradients,
//! download its model and data, upload a CSV.

use std::sync::Arc;

use backprop::explain;
use backprop::gradcheck::{check_with_l2, EPSILON, THRESHOLD};
use serde_json::{json, Value};

use super::app::App;
use super::assets;
use super::command::train_command;
use super::data::{self, RunData};
use super::files::{data_file, model_file, upload};
use super::http::{error, json_response, read_typed_body};
use super::reply::Reply;
use super::run::{lock, Run};
use super::server_memory::Reservation;
use super::spec::{check_pace, render, Model, RunRequest};
use super::wire::{Method, Request};

/// The most examples the gradient check differentiates over.
const GRADCHECK_EXAMPLES: usize = 100;

/// Answers one request (all but the event stream).
pub fn route(app: &Arc<App>, method: Method, parts: &[&str], request: &mut Request) -> Reply {
    let read = matches!(method, Method::Get | Method::Head);
    match (method, parts) {
        (_, [""]) if read => asset("text/html; charset=utf-8", assets::INDEX),
        (_, ["app.js"]) if read => asset("text/javascript; charset=utf-8", assets::APP_JS),
        (_, ["style.css"]) if read => asset("text/css; charset=utf-8", assets::STYLE),
        (Method::Post, ["api", "runs"]) => match read_typed_body(request, "application/json") {
            Ok(body) => create_run(app, &body),
            Err((status, message)) => error(status, &message),
        },
        (Method::Post, ["api", "uploads"]) => upload(app, request),
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
    Reply::new(200, text)
        .with_header("Content-Type", kind)
        .with_header("Cache-Control", "no-store")
}

fn run_route(
    app: &Arc<App>,
    run: &Arc<Run>,
    method: Method,
    rest: &[&str],
    request: &mut Request,
) -> Reply {
    match (method, rest) {
        (Method::Get, []) => json_response(200, run.info.get().unwrap_or(&Value::Null)),
        (Method::Delete, []) | (Method::Post, ["stop"]) => {
            app.drop_run(&run.id);
            json_response(200, &json!({ "stopped": true }))
        }
        (Method::Post, [what @ ("play" | "pause" | "step")]) => {
            let steps = if *what == "step" {
                match step_epochs(request) {
                    Ok(n) => n,
                    Err((status, message)) => return error(status, &message),
                }
            } else {
                0
            };
            match run.command(what, steps) {
                Ok(()) => json_response(200, &json!({ "ok": true })),
                Err(e) => error(409, &e),
            }
        }
        (Method::Post, ["pace"]) => match pace(request) {
            Ok(p) => {
                run.set_pace(p);
                json_response(200, &json!({ "epochs_per_frame": p }))
            }
            Err((status, message)) => error(status, &message),
        },
        (Method::Post, ["gradcheck"]) => gradcheck(run),
        (Method::Get, [file @ ("model.safetensors" | "model.json")]) => model_file(app, run, file),
        (Method::Get, [file @ ("train.csv" | "test.csv")]) => data_file(app, run, file),
        _ => error(404, "no such route for a run; see docs/playground.md"),
    }
}

/// The epochs of `POST …/step`: none sent (an empty body) is one; a body
/// must be `{"epochs": n}` with n in 1..=1000000.
fn step_epochs(request: &mut Request) -> Result<usize, (u16, String)> {
    if request.body_length() == 0 {
        return Ok(1);
    }
    let body = read_typed_body(request, "application/json")?;
    let epochs = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.get("epochs").cloned()));
    match epochs {
        Some(None) => Ok(1),
        Some(Some(n)) => n
            .as_u64()
            .filter(|n| (1..=1_000_000).contains(n))
            .map(|n| n as usize)
            .ok_or((400, "step: epochs must be 1..1000000".into())),
        None => Err((
            400,
            "step: the body must be {\"epochs\": N} (JSON) or empty".into(),
        )),
    }
}

/// The pace of `POST …/pace`: `{"epochs_per_frame": n}` (1..1000000) or
/// `{"epochs_per_frame": null}` for full speed.
fn pace(request: &mut Request) -> Result<Option<usize>, (u16, String)> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Pace {
        epochs_per_frame: Option<usize>,
    }
    let body = read_typed_body(request, "application/json")?;
    let p = serde_json::from_slice::<Pace>(&body).map_err(|e| {
        (
            400,
            format!("pace: the body must be {{\"epochs_per_frame\": N or null}}: {e}"),
        )
    })?;
    check_pace(p.epochs_per_frame).map_err(|e| (400, e))?;
    Ok(p.epochs_per_frame)
}

/// `POST /api/runs`: the settings read, the server's bounds checked, the
/// data made, the settings mapped onto the library's, and the run started
/// (where the library checks them), room made for it among the runs kept.
fn create_run(app: &Arc<App>, body: &[u8]) -> Reply {
    if body.trim_ascii_start().first() != Some(&b'{') {
        return error(
            400,
            "the body must be a JSON object of a run's settings, e.g. {\"dataset\": \"circle\"}",
        );
    }
    let request: RunRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => return error(400, &format!("the body is not a run's settings: {e}")),
    };
    if let Err(e) = request.check_bounds() {
        return error(400, &e);
    }
    let upload = upload_named(app, &request);
    let memory = match reserve_run(app, &request, upload.as_deref()) {
        Ok(memory) => memory,
        Err((status, e)) => return error(status, &e),
    };
    let made = data::make(&request, upload.as_deref()).and_then(|data| {
        let model = request.model(data.train.examples())?;
        Ok((data, model))
    });
    let made = match made {
        Ok(made) => made,
        Err(e) => return error(400, &e),
    };
    let id = app.new_id("r");
    let run = Run::new(
        id.clone(),
        made,
        memory,
        !request.paused,
        request.epochs_per_frame,
    );
    if let Err((status, e)) = run.start() {
        return error(status, &e);
    }
    if let Err(e) = app.make_room() {
        let _ = run.command("stop", 0);
        return error(429, &e);
    }
    let mut facts = info(&request, &run.model, &run.data);
    facts["id"] = json!(id);
    let _ = run.info.set(facts);
    lock(&app.runs).insert(id.clone(), run);
    json_response(201, &json!({ "id": id }))
}

/// The uploaded data set `r` names, if the server still has it.
fn upload_named(app: &App, r: &RunRequest) -> Option<Arc<backprop::data::Dataset>> {
    let id = r.upload.as_ref()?;
    lock(&app.uploads)
        .iter()
        .find(|(u, _, _)| u == id)
        .map(|(_, d, _)| Arc::clone(d))
}

/// Reserves a run's memory before its data is made: its examples and
/// features are the upload's, or the generator's points (the flower has 400)
/// in 2 features; its inputs, those or the crosses named.
fn reserve_run(
    app: &App,
    r: &RunRequest,
    upload: Option<&backprop::data::Dataset>,
) -> Result<Reservation, (u16, String)> {
    let (m, n, k) = match upload.filter(|_| r.dataset == "upload") {
        Some(d) => (d.examples(), d.features(), d.classes.len()),
        None => (r.points.max(400), 2, r.classes),
    };
    let n = r.inputs.as_ref().map_or(n, |i| i.len().max(n));
    let outputs = backprop::Output::units_for_classes(k.max(2));
    let bytes = app.memory.run(m, n, &r.hidden, outputs);
    app.memory.reserve("this run", bytes)
}

/// The run's facts for `GET /api/runs/{id}`: settings (the page's and the
/// library's), layer sizes, data points of the two features drawn, the
/// picture's bounds, the equations with the run's shapes, and the
/// equivalent `backprop train` command (of the same settings).
fn info(r: &RunRequest, model: &Model, d: &RunData) -> Value {
    let spec = &model.spec;
    let k = d.train.classes.len();
    let mut sizes = vec![d.train.features()];
    sizes.extend(&spec.hidden);
    sizes.push(backprop::Output::units_for_classes(k));
    let points = |xy: &ndarray::Array2<f64>, set: &backprop::data::Dataset| {
        json!({
            "x": xy.row(0).to_vec(),
            "y": xy.row(1).to_vec(),
            "label": set.y.iter().map(|v| *v as usize).collect::<Vec<_>>(),
        })
    };
    let (input_maps, input_scales) = super::snapshot::input_maps(d);
    let uniform = model.uniform();
    let equations =
        uniform.then(|| explain::equations(spec, d.train.features(), d.train.examples(), k));
    json!({
        "settings": r,
        "model": spec,
        "sizes": sizes,
        "activations": model.activations.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "output": backprop::Output::for_units(*sizes.last().unwrap_or(&1)).name(),
        "classes": d.train.classes,
        "feature_names": d.train.preprocessing.feature_names,
        "shown": d.shown,
        "axes": d.axes,
        "input_maps": input_maps,
        "input_scales": input_scales,
        "bounds": d.bounds,
        "train": points(&d.points.0, &d.train),
        "test": d.points.1.as_ref().zip(d.test.as_ref()).map(|(xy, t)| points(xy, t)),
        "equations": equations,
        "command": uniform.then(|| train_command(spec, d.test.is_some())),
        "epochs": r.epochs,
        "region_grid": super::snapshot::REGION_GRID,
        "unit_grid": super::snapshot::UNIT_GRID,
    })
}

fn gradcheck(run: &Run) -> Reply {
    let mut net = match run.network() {
        Ok(net) => net,
        Err(e) => return error(409, &render(&e)),
    };
    let train = &run.data.train;
    let first = train.select(&(0..train.examples().min(GRADCHECK_EXAMPLES)).collect::<Vec<_>>());
    let (x, y) = (
        first.x_as::<f64>(),
        first.targets_as::<f64>(train.classes.len()),
    );
    if run.model.spec.gd.l1 != 0.0 {
        return error(
            409,
            "the gradient check covers the cost's L2 term, not L1 (|w| has no derivative at 0): set l1 to 0 to check",
        );
    }
    let l2 = run.model.spec.gd.l2;
    let report = match check_with_l2(&mut net, x.view(), y.view(), EPSILON, l2) {
        Ok(report) => report,
        Err(e) => return error(409, &render(&e)),
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
