// The playground's promises to a new user, each checked in the browser
// (issue 25): Play after typing starts training on one click; a diverging
// run is labelled as such; the output fits a 1280 × 800 screen, the page a
// 390 px phone, and every control and canvas has a name; the downloaded
// model, test set and command agree under `backprop evaluate`.
//
// Each check takes (browser, url, context) and returns a line for the log;
// it throws with what went wrong.

async function waitStatus(page, pattern, timeout = 60000) {
  try {
    await page.waitForFunction((p) => new RegExp(p).test(document.getElementById("status").textContent), pattern.source, { timeout });
  } catch (e) {
    throw new Error(`waiting for the status ${pattern}: it says "${await page.textContent("#status")}"`);
  }
}

// Item 7: a number typed into a field, then one click on Play, trains.
export async function playAfterTyping(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`${url}#dataset=flower&epochs=3000`);
    await waitStatus(page, /^ready/);
    await page.fill("#epochs", "400");
    await page.fill("#learning_rate", "1.1");
    await page.click("#play"); // one click: the fields' change fires as they lose focus
    await page.waitForFunction(() => Number(document.getElementById("epoch").textContent) > 0, null, { timeout: 20000 });
    await waitStatus(page, /^done/);
    const epoch = Number(await page.textContent("#epoch"));
    const total = Number(await page.textContent("#epochs-total"));
    const label = await page.textContent("#play");
    if (epoch !== 400 || total !== 400) throw new Error(`trained ${epoch} of ${total} epochs, expected 400 of 400`);
    // Play on a finished run starts it again, on one click.
    const first = await page.evaluate(() => run.id);
    await page.click("#play");
    await page.waitForFunction((id) => run && run.id !== id
      && /^done/.test(document.getElementById("status").textContent), first, { timeout: 20000 });
    return `typed epochs 400 and α 1.1, one click on Play trained ${epoch} of ${total} epochs (button then "${label}"); Play again restarted it`;
  } finally {
    await page.close();
  }
}

// Trains the page's run of `hash` at full speed to its end; returns the page.
async function trainToEnd(browser, url, hash, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport, acceptDownloads: true });
  await page.goto(`${url}#${hash}&pace=`);
  await waitStatus(page, /^ready/);
  await page.click("#play");
  await waitStatus(page, /^(done|diverged|no progress)/, 120000);
  return page;
}

// Item 9: α = 50 with relu sends the cost to ~1e65 (finite): the library's
// trend labels the run diverging, in the status and beside the curve; a
// learning rate too small to move the cost is labelled "no progress".
export async function divergingAndStalledRunsAreLabelled(browser, url) {
  const lines = [];
  for (const [hash, status, word] of [
    ["dataset=flower&hidden=4&activation=relu&learning_rate=50&epochs=300", /^diverged/, /^diverging/],
    ["dataset=flower&hidden=4&activation=tanh&learning_rate=0.00001&epochs=300", /^no progress/, /^no progress/],
  ]) {
    const page = await trainToEnd(browser, url, hash);
    try {
      const said = await page.textContent("#status");
      const note = (await page.isVisible("#diverged")) ? await page.textContent("#diverged") : "(no note shown)";
      if (!status.test(said) || !word.test(note)) throw new Error(`${hash}: status "${said}", note "${note}"`);
      lines.push(`${hash.split("&").slice(2, 4).join(" ")}: "${said}" / "${note}"`);
    } finally {
      await page.close();
    }
  }
  return lines.join("; ");
}

// Item 10: on a 1280 × 800 screen the output (accuracies, decision regions,
// cost curve) lies in the first screen, no scrolling; on a 390 px phone the
// page is no wider than the phone; every control has a name, every canvas a
// text alternative.
export async function theOutputFitsAScreenAndEveryControlHasAName(browser, url, { outDir }) {
  const page = await trainToEnd(browser, url, "dataset=flower&epochs=500");
  let facts;
  try {
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = await page.locator("#output").boundingBox();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const unnamed = await page.evaluate(() => {
      const name = (el) => (el.getAttribute("aria-label") || (el.labels && [...el.labels].map((l) => l.textContent).join(" "))
        || el.textContent || el.title || "").trim();
      return [...document.querySelectorAll("input, select, button, a, canvas, textarea")]
        .filter((el) => !name(el)).map((el) => el.id || el.outerHTML.slice(0, 60));
    });
    const alt = await page.getAttribute("#regions", "aria-label");
    await page.screenshot({ path: `${outDir}/screen-1280x800.png` });
    const problems = [];
    if (box.x < 0 || box.y < 0 || box.x + box.width > 1280 || box.y + box.height > 800) {
      problems.push(`the output spans x ${box.x.toFixed(0)}…${(box.x + box.width).toFixed(0)}, y ${box.y.toFixed(0)}…${(box.y + box.height).toFixed(0)}`);
    }
    if (width > 1280) problems.push(`the page is ${width} px wide at 1280`);
    if (unnamed.length) problems.push(`no name: ${unnamed.join(", ")}`);
    if (!/train accuracy \d/.test(alt || "")) problems.push(`the regions' text alternative: "${alt}"`);
    if (problems.length) throw new Error(problems.join("; "));
    facts = `output box x ${box.x.toFixed(0)}…${(box.x + box.width).toFixed(0)}, y ${box.y.toFixed(0)}…${(box.y + box.height).toFixed(0)} in 1280 × 800; regions: "${alt}"`;
  } finally {
    await page.close();
  }
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    await phone.goto(`${url}#dataset=flower`);
    await waitStatus(phone, /^ready/);
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    const regions = await phone.locator("#regions").boundingBox();
    await phone.screenshot({ path: `${outDir}/phone-390.png`, fullPage: true });
    if (width > 390 || regions.x + regions.width > 390) {
      throw new Error(`on a 390 px phone the page is ${width} px wide, the regions end at x ${regions.x + regions.width}`);
    }
    return `${facts}; phone: ${width} px wide, regions ${regions.width.toFixed(0)} px`;
  } finally {
    await phone.close();
  }
}

// Item 11: the page's downloads agree: `backprop evaluate` of the
// downloaded model on the downloaded test.csv scores what the page shows.
export async function theDownloadedModelEvaluatesOnTheDownloadedTestSet(browser, url, { binary, outDir }) {
  const { execFileSync } = await import("node:child_process");
  const { mkdirSync } = await import("node:fs");
  const { resolve } = await import("node:path");
  const dir = resolve(outDir, "round-trip");
  mkdirSync(dir, { recursive: true });
  const page = await trainToEnd(browser, url, "dataset=flower&hidden=4&activation=tanh&learning_rate=1.2&epochs=1000");
  try {
    for (const id of ["dl-weights", "dl-json", "dl-test"]) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(`#${id}`)]);
      await download.saveAs(`${dir}/${download.suggestedFilename()}`);
    }
    const shown = Number(await page.getAttribute("#test-accuracy", "data-value"));
    const out = execFileSync(resolve(binary), ["evaluate", "--model", ".", "test.csv", "--format", "json"], { cwd: dir, encoding: "utf8" });
    const scored = JSON.parse(out).accuracy;
    if (Math.abs(scored - shown) > 1e-12) throw new Error(`evaluate scored ${scored}, the page shows ${shown}`);
    return `backprop evaluate --model . test.csv on the page's downloads: accuracy ${scored}, as the page shows`;
  } finally {
    await page.close();
  }
}

// Item 8: at the default pace (10 epochs a frame, 20 frames a second) the
// flower's boundary forms over seconds: a second after Play the run is at
// most a few hundred epochs in (a pace is a ceiling, so a slower machine
// only trains fewer); the test curve has a point at every epoch the
// training curve has; the pace select changes a run's speed as it plays.
export async function theDefaultPaceCanBeWatched(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(`${url}#dataset=flower&epochs=3000`);
    await waitStatus(page, /^ready/);
    const pace = await page.inputValue("#pace");
    await page.click("#play");
    await page.waitForFunction(() => Number(document.getElementById("epoch").textContent) > 0, null, { timeout: 20000 });
    await page.waitForTimeout(1000);
    const early = Number(await page.textContent("#epoch"));
    if (pace !== "10" || !(early > 0 && early <= 400)) throw new Error(`pace "${pace}": epoch ${early} a second after Play`);
    await page.selectOption("#pace", "");
    await waitStatus(page, /^done/);
    const [train, test] = await page.evaluate(() => [trainCurve.length, testCurve.length]);
    if (train < 100 || test < train - 1) throw new Error(`${train} training and ${test} test cost points`);
    return `pace ${pace} epochs/frame: epoch ${early} a second after Play; full speed then ended it; ${train} train and ${test} test cost points`;
  } finally {
    await page.close();
  }
}

// Item 12: the inputs are chosen on the page (TensorFlow Playground's x₁²,
// x₂², x₁x₂, sin x₁, sin x₂ beside x₁, x₂), crossed by the library: the
// circle without a hidden layer learns from x₁² and x₂²; the page's
// downloads carry the crossed columns, `backprop evaluate` of its model on
// its test.csv scores what the page shows, and its command trains the same
// weights, byte for byte; ticking one more input makes a run of three inputs.
export async function crossedInputsAreChosenOnThePageAndItsDownloadsAgree(browser, url, { binary, outDir }) {
  const { execFileSync } = await import("node:child_process");
  const { mkdirSync, readFileSync } = await import("node:fs");
  const { resolve } = await import("node:path");
  const dir = resolve(outDir, "crossed");
  mkdirSync(dir, { recursive: true });
  const hash = "dataset=circle&hidden=&inputs=x1%5E2,x2%5E2&learning_rate=0.5&epochs=600&train_fraction=0.5";
  const page = await trainToEnd(browser, url, hash);
  try {
    const ticked = await page.evaluate(() => [...document.querySelectorAll("#inputs input")].filter((b) => b.checked).map((b) => b.value));
    const names = await page.evaluate(() => run.info.feature_names);
    if (ticked.join(",") !== "x1^2,x2^2" || names.join(",") !== "x1^2,x2^2") throw new Error(`ticked ${ticked}, the run's inputs ${names}`);
    const shown = Number(await page.getAttribute("#test-accuracy", "data-value"));
    if (!(shown >= 0.95)) throw new Error(`test accuracy ${shown} on (x1², x2²) without a hidden layer`);
    for (const id of ["dl-weights", "dl-json", "dl-train", "dl-test"]) {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(`#${id}`)]);
      await download.saveAs(`${dir}/${download.suggestedFilename()}`);
    }
    const header = readFileSync(`${dir}/test.csv`, "utf8").split("\n")[0];
    if (header !== "x1^2,x2^2,label") throw new Error(`test.csv's header is "${header}"`);
    const out = execFileSync(resolve(binary), ["evaluate", "--model", ".", "test.csv", "--format", "json"], { cwd: dir, encoding: "utf8" });
    const scored = JSON.parse(out).accuracy;
    if (scored !== shown) throw new Error(`evaluate scored ${scored}, the page shows ${shown}`);
    const command = (await page.textContent("#command")).trim().split(" ").slice(1);
    execFileSync(resolve(binary), [...command, "--quiet", "--force"], { cwd: dir });
    const same = readFileSync(`${dir}/model.safetensors`).equals(readFileSync(`${dir}/runs/playground/model.safetensors`));
    if (!same) throw new Error(`the page's command trained other weights: ${command.join(" ")}`);
    const before = await page.evaluate(() => run.id);
    await page.check("#inputs input[value='sin(x1)']");
    await page.waitForFunction((id) => run && run.id !== id, before, { timeout: 20000 });
    const sizes = await page.evaluate(() => run.info.sizes);
    const link = await page.evaluate(() => decodeURIComponent(location.hash));
    if (sizes[0] !== 3 || !link.includes("inputs=x1^2,x2^2,sin(x1)")) throw new Error(`after ticking sin x₁: sizes ${sizes}, link ${link}`);
    return `circle, no hidden layer, inputs x1², x2²: test accuracy ${shown}; evaluate on the downloaded test.csv ${scored}; the command's weights equal the page's; ticking sin x₁ made a ${sizes.join("-")} run`;
  } finally {
    await page.close();
  }
}

// Item 12: every input's and unit's map is drawn beside the network without
// hovering, readable on a 1280 × 800 screen: at least 24 px square, inside
// the window, clear of the output (which stays in the window); the maps are
// pictures (several colours), and x₁²'s map is a valley: white near x₁ = 0
// in the middle of a row, blue towards both ends.
export async function everyNeuronsMapIsVisibleBesideTheOutput(browser, url, { outDir }) {
  const hash = "dataset=spiral&points=300&hidden=16,16&activation=tanh,tanh&optimizer=adam&learning_rate=0.01&epochs=200"
    + "&inputs=x1,x2,x1%5E2,x2%5E2,x1*x2,sin(x1),sin(x2)";
  const page = await trainToEnd(browser, url, hash);
  try {
    await page.evaluate(() => window.scrollTo(0, 0));
    const output = await page.locator("#output").boundingBox();
    const facts = await page.evaluate(() => {
      const cv = document.getElementById("network"), r = cv.getBoundingClientRect(), k = r.width / cv.width;
      const ctx = cv.getContext("2d");
      return window.__shapes().filter((s) => s.kind === "unit").map((s) => {
        const px = ctx.getImageData(s.x + 2, s.y + 2, s.w - 4, s.h - 4).data;
        const colours = new Set();
        for (let i = 0; i < px.length; i += 4) colours.add(`${px[i] >> 3},${px[i + 1] >> 3},${px[i + 2] >> 3}`);
        const at = (fx, fy) => [...ctx.getImageData(s.x + fx * s.w, s.y + fy * s.h, 1, 1).data.slice(0, 3)];
        return { text: s.text, x: r.left + s.x * k, y: r.top + s.y * k, side: s.w * k, colours: colours.size,
          edges: [at(0.1, 0.5), at(0.9, 0.5), at(0.5, 0.5)] };
      });
    });
    await page.screenshot({ path: `${outDir}/maps-1280x800.png` });
    const problems = [];
    if (facts.length !== 7 + 16 + 16 + 1) problems.push(`${facts.length} maps drawn for 7-16-16-1`);
    const overlaps = (f) => f.x < output.x + output.width && f.x + f.side > output.x && f.y < output.y + output.height && f.y + f.side > output.y;
    for (const f of facts) {
      if (f.side < 24) problems.push(`${f.text}: ${f.side.toFixed(1)} px`);
      if (f.x < 0 || f.y < 0 || f.x + f.side > 1280 || f.y + f.side > 800) problems.push(`${f.text} at ${f.x.toFixed(0)},${f.y.toFixed(0)} is off the screen`);
      if (overlaps(f)) problems.push(`${f.text} covers the output`);
      if (f.colours < 3) problems.push(`${f.text}: ${f.colours} colours`);
    }
    if (output.y + output.height > 800) problems.push(`the output ends at y ${output.y + output.height}`);
    const square = facts.find((f) => f.text.startsWith("input x1^2"));
    // x1² ≥ 0 is drawn white at 0 and bluer as it grows: whiter in the middle of a row than at either end.
    const light = (c) => c[0] + c[1] + c[2];
    if (!square || !(light(square.edges[2]) > light(square.edges[0]) + 60 && light(square.edges[2]) > light(square.edges[1]) + 60)) {
      problems.push(`x1²'s map is no valley: left, right, middle ${JSON.stringify(square && square.edges)}`);
    }
    if (problems.length) throw new Error(problems.slice(0, 6).join("; "));
    const smallest = Math.min(...facts.map((f) => f.side));
    const bottom = Math.max(...facts.map((f) => f.y + f.side));
    return `${facts.length} maps (7 inputs, 16 + 16 units, the output), each ≥ ${smallest.toFixed(1)} px, the lowest ending at y ${bottom.toFixed(0)} of 800, none over the output (x ${output.x.toFixed(0)}…${(output.x + output.width).toFixed(0)}); x1²'s map a valley`;
  } finally {
    await page.close();
  }
}
