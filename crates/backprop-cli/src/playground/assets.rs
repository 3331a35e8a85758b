//! The page, embedded in the binary: no CDN, no build step, no WebAssembly.

/// The one HTML page.
pub const INDEX: &str = include_str!("assets/index.html");
/// Its script: drawing and the API calls.
pub const APP_JS: &str = include_str!("assets/app.js");
/// Its style sheet.
pub const STYLE: &str = include_str!("assets/style.css");
