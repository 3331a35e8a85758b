// backprop playground: settings ↔ URL, the API calls, and the drawing.
// The training runs in the server (the Rust library); this page only asks
// for runs, listens to their event stream and draws each frame.
"use strict";

const $ = (id) => document.getElementById(id);
const POS = [8, 119, 189];     // class 1 / positive weight (blue)
const NEG = [245, 147, 34];    // class 0 / negative weight (orange)
const PALETTE = [NEG, POS, [60, 170, 90], [200, 60, 160], [110, 90, 200]];
const ACTIVATIONS = ["tanh", "relu", "leaky-relu", "sigmoid"];

// ---- settings and the URL -------------------------------------------------
const DEFAULTS = {
  dataset: "flower", classes: 2, points: 400, noise: 0, train_fraction: 0.5, seed: 1,
  inputs: ["x1", "x2"], // the network's inputs: the library's crosses of the two features
  hidden: [4], activation: ["tanh"], init: "xavier", learning_rate: 1.2, optimizer: "gd",
  batch_size: null, l2: 0, l1: 0, keep_prob: 1, epochs: 3000,
  pace: 10, // epochs a frame while playing (null: full speed): the flower's boundary forms over a few seconds
};
let settings = readUrl();
let uploadId = null;
let uploadFeatures = null;

function readUrl() {
  const s = structuredClone(DEFAULTS);
  const q = new URLSearchParams(location.hash.slice(1));
  for (const [k, v] of q) {
    if (!(k in s)) continue;
    if (k === "hidden") s.hidden = v === "" ? [] : v.split(",").map(Number);
    else if (k === "activation" || k === "inputs") s[k] = v === "" ? [] : v.split(",");
    else if (k === "batch_size" || k === "pace") s[k] = v === "" ? null : Number(v);
    else if (typeof DEFAULTS[k] === "number") s[k] = Number(v);
    else s[k] = v;
  }
  if (s.dataset === "upload") s.dataset = "flower"; // an upload is not in the link
  while (s.activation.length < s.hidden.length) s.activation.push(s.activation[0] || "tanh");
  s.activation.length = s.hidden.length;
  return s;
}

function writeUrl() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(settings)) {
    q.set(k, Array.isArray(v) ? v.join(",") : v === null ? "" : String(v));
  }
  history.replaceState(null, "", "#" + q.toString());
}

function showSettings() {
  for (const k of ["dataset", "classes", "points", "seed", "learning_rate", "optimizer", "l2", "l1", "keep_prob", "epochs", "init"]) {
    $(k).value = settings[k];
  }
  $("noise").value = settings.noise;
  $("train_fraction").value = settings.train_fraction;
  $("batch_size").value = settings.batch_size === null ? "" : settings.batch_size;
  $("pace").value = settings.pace === null ? "" : String(settings.pace);
  $("noise-out").textContent = settings.noise;
  $("train-out").textContent = Math.round(settings.train_fraction * 100) + " %";
  $("upload-box").hidden = settings.dataset !== "upload";
  for (const box of document.querySelectorAll("#inputs input")) box.checked = settings.inputs.includes(box.value);
  $("classes").disabled = !["gauss", "spiral"].includes(settings.dataset);
  $("points").disabled = ["flower", "upload"].includes(settings.dataset);
  drawLayerControls();
}

function drawLayerControls() {
  const box = $("layers");
  box.innerHTML = "";
  settings.hidden.forEach((n, l) => {
    const div = document.createElement("div");
    div.className = "layer-ctl";
    div.innerHTML = `<div class="units"><button class="small" data-d="-1">−</button>
      <span>${n} unit${n === 1 ? "" : "s"}</span><button class="small" data-d="1">+</button></div>
      <select aria-label="activation of hidden layer ${l + 1}">${ACTIVATIONS.map((a) => `<option${a === settings.activation[l] ? " selected" : ""}>${a}</option>`).join("")}</select>`;
    const [fewer, more] = div.querySelectorAll("button");
    fewer.setAttribute("aria-label", `one unit fewer in hidden layer ${l + 1}`);
    more.setAttribute("aria-label", `one unit more in hidden layer ${l + 1}`);
    div.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => {
      settings.hidden[l] = Math.min(16, Math.max(1, n + Number(b.dataset.d)));
      changed();
    }));
    div.querySelector("select").addEventListener("change", (e) => {
      settings.activation[l] = e.target.value;
      changed();
    });
    box.appendChild(div);
  });
  if (settings.hidden.length === 0) box.innerHTML = '<span class="note">no hidden layer: logistic regression</span>';
  $("add-layer").disabled = settings.hidden.length >= 6;
  $("remove-layer").disabled = settings.hidden.length === 0;
}

function readInputs() {
  const num = (id) => Number($(id).value);
  settings.dataset = $("dataset").value;
  settings.classes = ["gauss", "spiral"].includes(settings.dataset) ? num("classes") : 2;
  settings.points = num("points");
  settings.noise = num("noise");
  settings.train_fraction = num("train_fraction");
  settings.seed = num("seed");
  settings.learning_rate = num("learning_rate");
  settings.optimizer = $("optimizer").value;
  settings.batch_size = $("batch_size").value === "" ? null : num("batch_size");
  settings.l2 = num("l2");
  settings.l1 = num("l1");
  settings.keep_prob = num("keep_prob");
  settings.epochs = num("epochs");
  settings.init = $("init").value;
  settings.inputs = [...document.querySelectorAll("#inputs input")].filter((b) => b.checked).map((b) => b.value);
}

function changed() {
  showSettings();
  writeUrl();
  reset();
}

// ---- runs -----------------------------------------------------------------
let run = null;        // {id, info}
let source = null;     // the EventSource
let trainCurve = [];   // [epoch, cost]
let testCurve = [];    // [epoch, test cost], recorded at the same epochs
let latest = null;     // the last event
let playing = false;

function body() {
  const b = { ...settings, paused: true, epochs_per_frame: settings.pace };
  delete b.pace;
  // x1 and x2 as they are: the data's own features (an upload may have more).
  if (b.inputs.join(",") === "x1,x2") b.inputs = null;
  if (b.dataset === "upload") {
    b.upload = uploadId;
    b.features = [Number($("feature-x").value || 0), Number($("feature-y").value || 1)];
    delete b.points;
  }
  return JSON.stringify(b);
}

async function api(method, path, data) {
  const r = await fetch(path, { method, body: data, headers: data ? { "Content-Type": "application/json" } : {} });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
  if (!r.ok) throw new Error((json && json.error) || `${r.status} ${text}`);
  return json;
}

function stopCurrent() {
  if (source) source.close();
  source = null;
  if (run) fetch(`/api/runs/${run.id}`, { method: "DELETE" }).catch(() => {});
  run = null;
}

let resetting = 0;
async function reset() {
  const mine = ++resetting;
  stopCurrent();
  trainCurve = [];
  testCurve = [];
  latest = null;
  playing = false;
  $("play").textContent = "▶ Play";
  $("diverged").hidden = true;
  $("gradcheck-out").textContent = "central differences against backprop, f64";
  if (settings.dataset === "upload" && !uploadId) {
    status("choose a CSV file to train on");
    return;
  }
  status("creating the run…");
  try {
    const { id } = await api("POST", "/api/runs", body());
    const info = await api("GET", `/api/runs/${id}`);
    if (mine !== resetting) { fetch(`/api/runs/${id}`, { method: "DELETE" }); return; }
    run = { id, info };
    $("epochs-total").textContent = info.epochs;
    $("equations").textContent = info.equations || "(the equations are shown for one activation across the hidden layers)";
    $("command").textContent = info.command || "(a run mixing activations has no single `backprop train` command)";
    for (const [a, f] of [["dl-weights", "model.safetensors"], ["dl-json", "model.json"], ["dl-train", "train.csv"], ["dl-test", "test.csv"]]) {
      $(a).href = `/api/runs/${id}/${f}`;
    }
    $("dl-test").hidden = !info.test;
    listen(id);
    // Play pressed while the run was being made (a number field's change,
    // fired as it lost focus to the Play button, resets the run): play now.
    if (playing) {
      status("training…"); // before the command: its run may end before the reply
      await command("play");
    } else {
      status("ready: press Play");
    }
  } catch (e) {
    status("error: " + e.message, true);
  }
}

function listen(id) {
  source = new EventSource(`/api/runs/${id}/events`);
  source.onmessage = (m) => {
    if (!run || run.id !== id) return;
    const e = JSON.parse(m.data);
    latest = e;
    // The costs the session recorded between two frames (train and test
    // at the same epochs), then this frame's own point.
    extend(trainCurve, e.costs.concat([[e.epoch, e.cost]]));
    if (e.test_cost !== null) extend(testCurve, e.test_costs.concat([[e.epoch, e.test_cost]]));
    requestAnimationFrame(draw);
    // A NaN cost (the run stopped), or the library's reading of the cost
    // (diverging, no progress), said in words beside the curve.
    const note = e.diverged || e.trend_note;
    $("diverged").hidden = !note;
    $("diverged").textContent = note || "";
    if (e.done) {
      source.close();
      playing = false;
      $("play").textContent = "▶ Play again";
      $("step").disabled = true;
      status(finalWords(e));
    }
  };
  source.onerror = () => {
    if (run && run.id === id && !(latest && latest.done)) {
      status("the event stream broke (is the server still running?)", true);
      source.close();
    }
  };
  $("play").disabled = false;
  $("step").disabled = false;
}

function extend(curve, points) {
  for (const p of points) {
    if (curve.length === 0 || p[0] > curve[curve.length - 1][0]) curve.push(p);
  }
}

// The status of a finished run: done, or what went wrong.
function finalWords(e) {
  if (e.diverged) return `diverged: stopped at epoch ${e.epoch} (the cost is not a number)`;
  if (e.trend === "diverging") return `diverged: ${e.epoch} epochs, the cost rose far above its start`;
  if (e.trend === "stalled") return `no progress: ${e.epoch} epochs, the cost hardly moved`;
  return `done: ${e.epoch} epochs`;
}

async function command(what, data) {
  if (!run) return;
  try {
    await api("POST", `/api/runs/${run.id}/${what}`, data);
  } catch (e) {
    status(e.message, true);
  }
}

function status(text, bad) {
  $("status").textContent = text;
  $("status").style.color = bad ? "#ffb0b0" : "";
}

// ---- drawing --------------------------------------------------------------
function bytes(b64) {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function mix(c, t) { // c blended with white: t = 0 white, 1 full colour
  return [255 + (c[0] - 255) * t, 255 + (c[1] - 255) * t, 255 + (c[2] - 255) * t];
}

function diverging(v) { // v in −1…1: orange, white, blue
  return v >= 0 ? mix(POS, v) : mix(NEG, -v);
}

function regionImage(e, info) {
  const n = info.region_grid;
  const b = bytes(e.regions);
  const img = new ImageData(n, n);
  const k = info.classes.length;
  for (let i = 0; i < n * n; i++) {
    let c;
    if (k <= 2) {
      c = diverging((b[i] / 255) * 2 - 1);
    } else {
      const cls = b[2 * i], p = b[2 * i + 1] / 255;
      c = mix(PALETTE[cls % PALETTE.length], Math.max(0, (p - 1 / k) / (1 - 1 / k)));
    }
    const j = 4 * i;
    img.data[j] = c[0]; img.data[j + 1] = c[1]; img.data[j + 2] = c[2];
    img.data[j + 3] = 160;
  }
  return img;
}

const scratch = document.createElement("canvas");
function drawImage(ctx, img, x, y, w, h) {
  scratch.width = img.width; scratch.height = img.height;
  scratch.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, x, y, w, h);
}

function drawRegions() {
  const cv = $("regions"), ctx = cv.getContext("2d");
  ctx.clearRect(0, 0, cv.width, cv.height);
  if (!run) return;
  const info = run.info;
  if (latest) drawImage(ctx, regionImage(latest, info), 0, 0, cv.width, cv.height);
  const [x0, x1, y0, y1] = info.bounds;
  const px = (x) => ((x - x0) / (x1 - x0)) * cv.width;
  const py = (y) => ((y1 - y) / (y1 - y0)) * cv.height;
  const sets = [[info.train, "#fff"]];
  if (info.test && $("show-test").checked) sets.push([info.test, "#222"]);
  for (const [set, stroke] of sets) {
    for (let i = 0; i < set.x.length; i++) {
      const c = PALETTE[set.label[i] % PALETTE.length];
      ctx.beginPath();
      ctx.arc(px(set.x[i]), py(set.y[i]), 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = stroke;
      ctx.stroke();
    }
  }
  // Axis ticks at the extremes, so the plane's scale can be read.
  ctx.fillStyle = "#555";
  ctx.font = "10px system-ui";
  const names = info.axes || [];
  ctx.fillText(`${names[0] || "x1"} ${x0.toFixed(1)} … ${x1.toFixed(1)}`, 4, cv.height - 4);
  ctx.save();
  ctx.translate(10, cv.height - 70);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`${names[1] || "x2"} ${y0.toFixed(1)} … ${y1.toFixed(1)}`, 0, 0);
  ctx.restore();
}

function drawCosts() {
  const cv = $("costs"), ctx = cv.getContext("2d");
  ctx.clearRect(0, 0, cv.width, cv.height);
  if (trainCurve.length === 0) return;
  const pad = { l: 44, r: 8, t: 8, b: 20 };
  const w = cv.width - pad.l - pad.r, h = cv.height - pad.t - pad.b;
  const maxE = Math.max(1, run ? run.info.epochs : 1);
  const vals = trainCurve.concat(testCurve).map((p) => p[1]).filter((v) => v !== null && isFinite(v));
  const maxC = Math.max(1e-9, ...vals);
  const x = (e) => pad.l + (e / maxE) * w;
  const y = (c) => pad.t + h - (Math.min(c, maxC) / maxC) * h;
  ctx.strokeStyle = "#ccc";
  ctx.beginPath();
  ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, pad.t + h); ctx.lineTo(pad.l + w, pad.t + h);
  ctx.stroke();
  ctx.fillStyle = "#777";
  ctx.font = "10px system-ui";
  ctx.fillText(maxC.toPrecision(3), 2, pad.t + 8);
  ctx.fillText("0", 30, pad.t + h);
  ctx.fillText("epoch " + maxE, pad.l + w - 60, cv.height - 4);
  for (const [curve, colour] of [[trainCurve, "#333"], [testCurve, "#aaa"]]) {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    for (const p of curve) {
      if (p[1] === null || !isFinite(p[1])) continue;
      if (started) ctx.lineTo(x(p[0]), y(p[1])); else ctx.moveTo(x(p[0]), y(p[1]));
      started = true;
    }
    ctx.stroke();
  }
}

// The network: columns of units (inputs, hidden layers, output), each unit a
// small heatmap of its activation over the plane, links coloured by sign and
// as thick as |w|. `shapes` keeps what was drawn, for the hover.
let shapes = [];
function drawNetwork() {
  const cv = $("network"), ctx = cv.getContext("2d");
  ctx.clearRect(0, 0, cv.width, cv.height);
  shapes = [];
  if (!run) return;
  const sizes = run.info.sizes;
  const at = networkLayout(cv, sizes);
  const layers = latest ? latest.layers : null;
  // Links first, under the units.
  if (layers) drawLinks(ctx, at, sizes, layers);
  for (let l = 0; l < sizes.length; l++) drawUnits(ctx, cv, at, l, layers);
}

// Where each column and unit of the network goes on the canvas: at most 16
// inputs shown, squares (`box`) sized so that the tallest column fits. Every
// square is a readable map, at least MIN_BOX canvas pixels (about 26 screen
// pixels in a 1280 px window): the canvas grows with the tallest column.
const MIN_BOX = 28;
function networkLayout(cv, sizes) {
  const shownInputs = Math.min(sizes[0], 16);
  const cols = sizes.map((n, l) => (l === 0 ? shownInputs : n));
  const top = 22, most = Math.max(...cols);
  const height = Math.max(420, top + 10 + most * (MIN_BOX + 6));
  if (cv.height !== height) cv.height = height;
  // Squares shrink so the tallest column fits with a gap between units.
  const box = Math.max(MIN_BOX, Math.min(34, (cv.height - top - 10) / most - 4));
  // Room on the left for the inputs' names.
  const colX = (l) => 56 + (l * (cv.width - 106)) / (sizes.length - 1);
  const unitY = (l, i) => {
    const n = cols[l];
    const space = Math.min(box + 14, (cv.height - top - 10) / n);
    return top + (cv.height - top - 10 - space * n) / 2 + space * i + (space - box) / 2;
  };
  return { shownInputs, cols, box, colX, unitY };
}

// Each weight as a curve from unit j of layer l-1 to unit i of layer l,
// coloured by its sign and as thick as |w| against the largest.
function drawLinks(ctx, at, sizes, layers) {
  const { cols, box, colX, unitY } = at;
  let maxW = 0;
  layers.forEach((L) => L.w.forEach((v) => { maxW = Math.max(maxW, Math.abs(v)); }));
  for (let l = 1; l < sizes.length; l++) {
    const L = layers[l - 1], nPrev = sizes[l - 1];
    for (let i = 0; i < sizes[l]; i++) {
      for (let j = 0; j < cols[l - 1]; j++) {
        const w = L.w[i * nPrev + j];
        const x1 = colX(l - 1) + box, y1 = unitY(l - 1, j) + box / 2;
        const x2 = colX(l), y2 = unitY(l, i) + box / 2;
        const c = w >= 0 ? POS : NEG;
        ctx.strokeStyle = `rgba(${c[0]},${c[1]},${c[2]},0.75)`;
        ctx.lineWidth = Math.max(0.3, Math.min(8, (8 * Math.abs(w)) / Math.max(maxW, 1e-9)));
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.bezierCurveTo((x1 + x2) / 2, y1, (x1 + x2) / 2, y2, x2, y2);
        ctx.stroke();
        shapes.push({ kind: "link", x1, y1, x2, y2, text: `W[${l}][${i + 1},${j + 1}] = ${w.toPrecision(4)}` });
      }
    }
  }
}

// Layer l's column of units under its title: inputs show their own feature
// over the plane; the others, their activation.
function drawUnits(ctx, cv, at, l, layers) {
  const info = run.info, sizes = info.sizes, g = info.unit_grid;
  const { shownInputs, cols, box, colX, unitY } = at;
  ctx.fillStyle = "#777";
  ctx.font = "11px system-ui";
  const title = l === 0 ? "inputs" : l === sizes.length - 1 ? info.output : `layer ${l}: ${info.activations[l - 1]}`;
  ctx.textAlign = l === sizes.length - 1 ? "right" : "left";
  ctx.fillText(title, l === sizes.length - 1 ? colX(l) + box : colX(l), 12);
  ctx.textAlign = "left";
  for (let i = 0; i < cols[l]; i++) {
    const x = colX(l), y = unitY(l, i);
    let img = null, text;
    if (l === 0) {
      const names = info.feature_names || [];
      text = `input ${names[i] || "x" + (i + 1)}: max |value| on the plane = ${info.input_scales[i].toPrecision(3)}`;
      img = unitImage(g, bytes(info.input_maps[i]));
    } else if (layers) {
      const L = layers[l - 1];
      img = unitImage(g, bytes(L.units[i]));
      text = `${l === sizes.length - 1 ? "output" : "unit"} [${l}][${i + 1}]: b = ${L.b[i].toPrecision(4)}, max |a| on the plane = ${L.scales[i].toPrecision(3)}`;
    }
    if (img) drawImage(ctx, img, x, y, box, box);
    if (l === 0) {
      ctx.fillStyle = "#555";
      ctx.textAlign = "right";
      ctx.fillText(inputName((info.feature_names || [])[i] || `x${i + 1}`), x - 4, y + box / 2 + 4);
      ctx.textAlign = "left";
    }
    ctx.strokeStyle = "#999";
    ctx.lineWidth = 1;
    ctx.strokeRect(x, y, box, box);
    shapes.push({ kind: "unit", x, y, w: box, h: box, text: text || "" });
  }
  if (l === 0 && sizes[0] > shownInputs) {
    ctx.fillText(`+ ${sizes[0] - shownInputs} more inputs`, colX(0) - 10, cv.height - 2);
  }
}

// An input's name as the page writes it: x₁², sin x₁ for the crosses, else
// the data's (cut to 8 characters).
const PRETTY = { x1: "x₁", x2: "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂", "sin(x1)": "sin x₁", "sin(x2)": "sin x₂" };
function inputName(name) {
  return PRETTY[name] || (name.length > 8 ? name.slice(0, 7) + "…" : name);
}

// A unit's activation over the plane (g × g bytes, 0…255 for −max…+max) in the diverging colours.
function unitImage(g, b) {
  const img = new ImageData(g, g);
  for (let k = 0; k < g * g; k++) {
    const c = diverging((b[k] / 255) * 2 - 1);
    img.data.set([c[0], c[1], c[2], 255], 4 * k);
  }
  return img;
}

function segmentDistance(px, py, s) {
  // Distance to the link's curve, sampled.
  let best = Infinity;
  for (let t = 0; t <= 1; t += 0.05) {
    const u = 1 - t;
    const mx = (s.x1 + s.x2) / 2;
    const x = u * u * u * s.x1 + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * s.x2;
    const y = u * u * u * s.y1 + 3 * u * u * t * s.y1 + 3 * u * t * t * s.y2 + t * t * t * s.y2;
    best = Math.min(best, Math.hypot(px - x, py - y));
  }
  return best;
}

$("network").addEventListener("mousemove", (ev) => {
  const cv = $("network"), r = cv.getBoundingClientRect();
  const px = ((ev.clientX - r.left) * cv.width) / r.width, py = ((ev.clientY - r.top) * cv.height) / r.height;
  let hit = shapes.find((s) => s.kind === "unit" && px >= s.x && px <= s.x + s.w && py >= s.y && py <= s.y + s.h);
  if (!hit) {
    let best = 5;
    for (const s of shapes) {
      if (s.kind !== "link") continue;
      const d = segmentDistance(px, py, s);
      if (d < best) { best = d; hit = s; }
    }
  }
  const tip = $("tooltip");
  tip.hidden = !hit || !hit.text;
  if (hit) {
    tip.textContent = hit.text;
    tip.style.left = px + 12 + "px";
    tip.style.top = py + 10 + "px";
  }
});
$("network").addEventListener("mouseleave", () => { $("tooltip").hidden = true; });

function drawNumbers() {
  const e = latest;
  const pct = (v) => (v === null || v === undefined ? "–" : (100 * v).toFixed(1) + " %");
  const num = (v) => (v === null || v === undefined ? "–" : Number(v).toFixed(4));
  $("epoch").textContent = e ? e.epoch : 0;
  $("rate").textContent = e ? Math.round(e.epochs_per_second) : 0;
  $("train-accuracy").textContent = pct(e && e.train_accuracy);
  $("train-accuracy").dataset.value = e ? e.train_accuracy : "";
  $("test-accuracy").textContent = pct(e && e.test_accuracy);
  $("test-accuracy").dataset.value = e && e.test_accuracy !== null ? e.test_accuracy : "";
  $("train-cost").textContent = e ? (e.cost === null ? "NaN" : num(e.cost)) : "–";
  $("test-cost").textContent = num(e && e.test_cost);
  const t = $("norms");
  t.innerHTML = "";
  if (!e) return;
  t.insertAdjacentHTML("beforeend", "<tr><th>layer</th><th>‖dW‖</th><th>‖db‖</th><th>W shape</th></tr>");
  e.layers.forEach((L, l) => {
    const n = run.info.sizes[l + 1], p = run.info.sizes[l];
    t.insertAdjacentHTML("beforeend",
      `<tr><td>${l + 1}</td><td>${L.dw_norm.toExponential(3)}</td><td>${L.db_norm.toExponential(3)}</td><td>${n}×${p}</td></tr>`);
  });
}

// The canvases' text alternatives: what each picture shows now, in words.
function describe() {
  const e = latest, info = run && run.info;
  if (!e || !info) return;
  const pct = (v) => (v === null || v === undefined ? "none" : (100 * v).toFixed(1) + " %");
  const c = (v) => (v === null || v === undefined ? "none" : Number(v).toPrecision(4));
  const note = e.diverged || e.trend_note;
  $("regions").setAttribute("aria-label", `Decision regions of ${info.settings.dataset} at epoch ${e.epoch}: ` +
    `${info.classes.length} classes, train accuracy ${pct(e.train_accuracy)}, test accuracy ${pct(e.test_accuracy)}; ` +
    `${info.train.x.length} training points${info.test ? ` and ${info.test.x.length} test points` : ""}.`);
  const first = trainCurve[0];
  $("costs").setAttribute("aria-label", `Cost curves: train cost ${c(first && first[1])} at epoch 0, ${c(e.cost)} at epoch ${e.epoch}` +
    `${e.test_cost !== null ? `; test cost ${c(e.test_cost)}` : ""}.${note ? " " + note : ""}`);
  $("network").setAttribute("aria-label", `The network ${info.sizes.join("-")}: hidden activations ${info.activations.join(", ") || "none"}, ` +
    `${info.output} output; each unit drawn as its activation over the plane.`);
}

function draw() {
  describe();
  drawNumbers();
  drawRegions();
  drawCosts();
  drawNetwork();
}

// ---- wiring ---------------------------------------------------------------
for (const id of ["dataset", "classes", "points", "noise", "train_fraction", "seed", "learning_rate", "optimizer", "batch_size", "l2", "l1", "keep_prob", "epochs", "init"]) {
  $(id).addEventListener("change", () => { readInputs(); changed(); });
}
for (const box of document.querySelectorAll("#inputs input")) {
  box.addEventListener("change", () => { readInputs(); changed(); });
}
$("noise").addEventListener("input", () => { $("noise-out").textContent = $("noise").value; });
$("train_fraction").addEventListener("input", () => { $("train-out").textContent = Math.round($("train_fraction").value * 100) + " %"; });
// The pace changes the run's speed, not its arithmetic: no new run.
$("pace").addEventListener("change", () => {
  settings.pace = $("pace").value === "" ? null : Number($("pace").value);
  writeUrl();
  if (run) command("pace", JSON.stringify({ epochs_per_frame: settings.pace }));
});
$("feature-x").addEventListener("change", reset);
$("feature-y").addEventListener("change", reset);
$("show-test").addEventListener("change", () => requestAnimationFrame(draw));
$("add-layer").addEventListener("click", () => {
  if (settings.hidden.length >= 6) return;
  settings.hidden.push(4);
  settings.activation.push(settings.activation[settings.activation.length - 1] || "tanh");
  changed();
});
$("remove-layer").addEventListener("click", () => {
  settings.hidden.pop();
  settings.activation.pop();
  changed();
});
$("reset").addEventListener("click", reset);
$("play").addEventListener("click", () => {
  if (latest && latest.done) {
    // A finished run: Play starts it again from the untrained network.
    reset();
    playing = true;
    $("play").textContent = "❚❚ Pause";
    status("training…");
    return;
  }
  playing = !playing;
  $("play").textContent = playing ? "❚❚ Pause" : "▶ Play";
  status(playing ? "training…" : "paused");
  command(playing ? "play" : "pause");
});
$("step").addEventListener("click", () => {
  playing = false;
  $("play").textContent = "▶ Play";
  status("paused");
  command("step", JSON.stringify({ epochs: 1 }));
});
$("gradcheck").addEventListener("click", async () => {
  if (!run) return;
  $("gradcheck-out").textContent = "checking…";
  try {
    const r = await api("POST", `/api/runs/${run.id}/gradcheck`);
    const v = r.overall === null ? "NaN" : r.overall.toExponential(2);
    $("gradcheck-out").textContent = `relative difference ${v} on ${r.examples} examples: ${r.passed ? "below" : "ABOVE"} ${r.threshold}`;
    $("gradcheck-out").title = r.tensors.map((t) => `d${t.name}: ${t.relative_difference === null ? "NaN" : t.relative_difference.toExponential(2)}`).join("\n");
  } catch (e) {
    $("gradcheck-out").textContent = e.message;
  }
});
$("copy-link").addEventListener("click", () => {
  navigator.clipboard.writeText(location.href).then(() => status("link copied"), () => status(location.href));
});
$("csv").addEventListener("change", async () => {
  const f = $("csv").files[0];
  if (!f) return;
  $("upload-info").textContent = "reading…";
  try {
    const r = await fetch("/api/uploads", { method: "POST", body: await f.text(), headers: { "Content-Type": "text/csv" } });
    const j = await r.json();
    if (!r.ok) throw new Error(j.error);
    uploadId = j.id;
    uploadFeatures = j.feature_names || [];
    $("upload-info").textContent = `${j.examples} examples, ${j.features} features, ${j.classes.length} classes`;
    for (const [sel, pick] of [["feature-x", 0], ["feature-y", Math.min(1, j.features - 1)]]) {
      $(sel).innerHTML = uploadFeatures.map((n, i) => `<option value="${i}"${i === pick ? " selected" : ""}>${n}</option>`).join("");
    }
    reset();
  } catch (e) {
    $("upload-info").textContent = "error: " + e.message;
  }
});
// Closing the page stops its run (the server also stops it when the stream breaks).
window.addEventListener("pagehide", () => {
  if (run) navigator.sendBeacon(`/api/runs/${run.id}/stop`);
});

showSettings();
writeUrl();
reset();
// What the network drawing holds (for the browser test's hover).
window.__shapes = () => shapes;
