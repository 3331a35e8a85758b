//! `backprop export`: a model folder → a file another runtime loads (ONNX).

use std::process::ExitCode;

use anyhow::bail;
use backprop::export::onnx::{export, OnnxOptions, INPUT, LABEL, PROBABILITIES};
use backprop::Precision;

use crate::flags::ExportArgs;

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    if args.format != "onnx" {
        bail!(
            "--format '{}' is not one backprop writes; use --format onnx",
            args.format
        );
    }
    let options = OnnxOptions {
        precision: args.precision,
        opset: args.opset,
    };
    let e = export(&args.model, &args.out, &options, args.force)?;
    let precision = match e.precision {
        Precision::F32 => "float32",
        Precision::F64 => "float64",
    };
    let label = match (e.multilabel, e.integer_labels) {
        (true, _) => " × K, int64 0/1 of the labels",
        (false, true) => ", int64",
        (false, false) => ", string",
    };
    println!(
        "wrote {} ({} bytes): ONNX opset {} (this graph needs ≥ {}), {precision}, {} nodes",
        args.out.display(),
        e.bytes.len(),
        e.opset,
        e.required_opset,
        e.ops.len()
    );
    println!(
        "input {INPUT} (N × n_x raw features, {precision}) → {LABEL} (N{label}: {}), {PROBABILITIES} (N × {})",
        e.classes.join(", "),
        e.classes.len()
    );
    Ok(ExitCode::SUCCESS)
}
