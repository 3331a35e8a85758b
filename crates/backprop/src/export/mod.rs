//! A trained model in formats other programs run: ONNX (onnxruntime, tract,
//! OpenVINO, TensorRT read it), behind the `onnx` feature.

#[cfg(feature = "onnx")]
mod graph;
#[cfg(feature = "onnx")]
pub mod onnx;
#[cfg(feature = "onnx")]
mod onnx_picture;
#[cfg(feature = "onnx")]
mod proto;
