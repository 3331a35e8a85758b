//! The files of a run and the uploads: the model and the data sets as
//! downloads (written by the library's writers, so `backprop predict` and
//! `backprop train` read them), and an uploaded CSV read by its reader.

use std::sync::Arc;

use backprop::model_io;
use serde_json::json;

use super::app::{App, MAX_UPLOADS};
use super::data;
use super::http::{check_type, error, json_response, MAX_BODY};
use super::reply::Reply;
use super::run::{lock, Run};
use super::scratch::Scratch;
use super::spec::render;
use super::wire::Request;

fn download(name: &str, kind: &str, bytes: Vec<u8>) -> Reply {
    Reply::new(200, bytes)
        .with_header("Content-Type", kind)
        .with_header(
            "Content-Disposition",
            &format!("attachment; filename=\"{name}\""),
        )
        .with_header("Cache-Control", "no-store")
}

/// `model.safetensors` or `model.json` of the network as it is now, written by
/// the library's model_io (so `backprop predict --model` reads the pair).
pub fn model_file(app: &App, run: &Run, file: &str) -> Reply {
    if !run.model.uniform() {
        return error(
            409,
            "a model file holds one hidden activation; this run mixes them, so it cannot be saved",
        );
    }
    let train = &run.data.train;
    let result = run.network().map_err(|e| render(&e)).and_then(|net| {
        let dir = Scratch::new(&app.scratch).map_err(|e| e.to_string())?;
        model_io::save(&dir.0, &net, &train.classes, &train.preprocessing)
            .map_err(|e| render(&e))?;
        std::fs::read(dir.0.join(file)).map_err(|e| e.to_string())
    });
    match result {
        Ok(bytes) if file.ends_with(".json") => download(file, "application/json", bytes),
        Ok(bytes) => download(file, "application/octet-stream", bytes),
        Err(e) => error(500, &format!("the model could not be written: {e}")),
    }
}

/// The run's training or test set as a CSV (the network's inputs, named as
/// the model download names them: x1, x2, or the crosses x1^2, sin(x1), …;
/// label: the class's name, as the model names it), for the equivalent command and
/// for `backprop evaluate` of the downloaded model.
pub fn data_file(app: &App, run: &Run, file: &str) -> Reply {
    let set = if file == "train.csv" {
        Some(&run.data.train)
    } else {
        run.data.test.as_ref()
    };
    let Some(set) = set else {
        return error(404, "this run has no test set (train_fraction is 1)");
    };
    let result = Scratch::new(&app.scratch)
        .map_err(|e| e.to_string())
        .and_then(|dir| {
            let path = dir.0.join(file);
            backprop::data::write_csv_named(&path, set).map_err(|e| render(&e))?;
            std::fs::read(&path).map_err(|e| e.to_string())
        });
    match result {
        Ok(bytes) => download(file, "text/csv", bytes),
        Err(e) => error(500, &format!("the data could not be written: {e}")),
    }
}

/// The bytes an upload kept takes: its examples in f64 and its labels.
fn kept_bytes(set: &backprop::data::Dataset) -> u64 {
    8 * (set.x.len() + set.y.len()) as u64 + (64 << 10)
}

/// `POST /api/uploads`: a CSV body (`text/csv`), copied to a scratch file
/// as it arrives with the playground's bounds applied on the way (refused
/// at the first byte past them), then read by the library's CSV reader, at
/// most [`MAX_READING`](super::app::MAX_READING) uploads at once, each once
/// its reading is reserved from the server's memory budget (503 past it);
/// the upload kept holds its own share until it is dropped.
pub fn upload(app: &App, request: &mut Request) -> Reply {
    let result = check_type(request, "text/csv")
        .and_then(|()| {
            if request.body_length() > MAX_BODY as u64 {
                return Err((413, format!("the body is over {} MB", MAX_BODY >> 20)));
            }
            Scratch::new(&app.scratch).map_err(|e| (500, format!("no scratch folder: {e}")))
        })
        .and_then(|dir| {
            let path = dir.0.join("upload.csv");
            let mut file = std::fs::File::create(&path).map_err(|e| (500, e.to_string()))?;
            let mut body = request.body()?;
            data::copy_upload(&mut body, &mut file).map_err(|e| (400, e))?;
            drop(file);
            let _reading = app.reading.acquire();
            let size = std::fs::metadata(&path).map_or(MAX_BODY as u64, |m| m.len());
            let need = app.memory.reading(size);
            let mut memory = app.memory.reserve("reading this upload", need)?;
            let set = data::read_upload(&path).map_err(|e| (400, e))?;
            memory.shrink_to(kept_bytes(&set));
            Ok((set, memory))
        });
    let (set, memory) = match result {
        Ok(d) => d,
        Err((400, e)) => return error(400, &format!("the CSV cannot be used: {e}")),
        Err((status, e)) => return error(status, &e),
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
    uploads.push((id, Arc::new(set), memory));
    json_response(201, &reply)
}
