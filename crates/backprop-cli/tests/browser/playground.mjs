// The playground in a real browser: Debian's Chromium, headless, driven by
// playwright-core. Starts `backprop playground`, loads the page for three
// networks (the flower, a softmax spiral, a 3-layer net), presses Play, waits
// for the run to finish, reads the accuracy from the page, hovers a unit,
// runs the gradient check, and saves a screenshot of each.
//
//   node playground.mjs BACKPROP_BINARY OUT_DIR
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";
import * as checks from "./checks.mjs";

const [binary, outDir] = process.argv.slice(2);
if (!binary || !outDir) {
  console.error("usage: node playground.mjs BACKPROP_BINARY OUT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const server = spawn(binary, ["playground", "--port", "0", "--no-open"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once("line", resolve);
  server.once("exit", (code) => reject(new Error(`the server exited (${code})`)));
});
console.log(`server at ${url}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

const cases = [
  {
    name: "flower",
    hash: "dataset=flower&hidden=4&activation=tanh&learning_rate=1.2&epochs=3000&train_fraction=0.5&seed=1",
    min: 0.85,
  },
  {
    name: "spiral-softmax",
    hash: "dataset=spiral&classes=3&points=300&hidden=16,16&activation=relu,relu&optimizer=adam&learning_rate=0.01&epochs=1500&train_fraction=0.8&pace=",
    min: 0.9,
  },
  {
    name: "three-layers",
    hash: "dataset=circle&noise=0.1&hidden=8,6,4&activation=tanh,tanh,tanh&learning_rate=0.3&epochs=1500&pace=",
    min: 0.9,
  },
];

let passed = 0, failed = 0;
for (const c of cases) {
  const started = Date.now();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1050 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(`${url}#${c.hash}`);
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("ready"), null, { timeout: 30000 });
    const total = Number(await page.textContent("#epochs-total"));
    await page.click("#play");
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("done"), null, { timeout: 120000 });
    const epoch = Number(await page.textContent("#epoch"));
    const accuracy = Number(await page.getAttribute("#train-accuracy", "data-value"));
    const shown = await page.textContent("#train-accuracy");
    // Hover the first unit of the first hidden layer: its value shows.
    const box = await page.locator("#network").boundingBox();
    const tip = await page.evaluate(() => {
      const s = window.__shapes ? window.__shapes() : [];
      return s.find((u) => u.kind === "unit" && u.text.startsWith("unit")) || null;
    });
    let hover = "";
    if (tip) {
      await page.mouse.move(box.x + tip.x + 10, box.y + tip.y + 10);
      hover = await page.textContent("#tooltip");
    }
    await page.click("#gradcheck");
    await page.waitForFunction(() => /relative difference/.test(document.getElementById("gradcheck-out").textContent), null, { timeout: 30000 });
    const check = await page.textContent("#gradcheck-out");
    const hash = await page.evaluate(() => location.hash);
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${outDir}/${c.name}.png` });
    const problems = [];
    if (epoch !== total) problems.push(`stopped at epoch ${epoch} of ${total}`);
    if (!(accuracy >= c.min)) problems.push(`train accuracy ${accuracy} < ${c.min}`);
    if (!hover.includes("unit [1][1]")) problems.push(`hovering a unit showed "${hover}"`);
    if (!check.includes("below")) problems.push(`gradient check: ${check}`);
    if (!hash.includes(c.hash.split("&")[0])) problems.push(`the URL lost the settings: ${hash}`);
    if (errors.length) problems.push(`page errors: ${errors.join("; ")}`);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (problems.length) {
      failed++;
      console.log(`FAIL ${c.name}: ${problems.join("; ")} (${secs} s)`);
    } else {
      passed++;
      console.log(`ok   ${c.name}: ${epoch} epochs, train accuracy ${shown} read from the page; hover "${hover}"; ${check}; ${secs} s; screenshot ${outDir}/${c.name}.png`);
    }
  } catch (e) {
    failed++;
    console.log(`FAIL ${c.name}: ${e.message.split("\n")[0]}`);
    await page.screenshot({ path: `${outDir}/${c.name}-failed.png` }).catch(() => {});
  }
  await page.close();
}

// The issue-25 checks (checks.mjs).
for (const [name, check] of Object.entries(checks)) {
  try {
    const line = await check(browser, url, { binary, outDir });
    passed++;
    console.log(`ok   ${name}: ${line}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message.split("\n")[0]}`);
  }
}

// An upload through the page's file input: the page sends it as text/csv
// (the server refuses other types), and the server's summary shows.
{
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.selectOption("#dataset", "upload");
    const rows = ["x1,x2,label"];
    for (let i = 0; i < 40; i++) rows.push(`${Math.cos(i)},${Math.sin(i)},${i % 2}`);
    await page.setInputFiles("#csv", { name: "mine.csv", mimeType: "text/csv", buffer: Buffer.from(rows.join("\n") + "\n") });
    await page.waitForFunction(() => /examples|error/.test(document.getElementById("upload-info").textContent), null, { timeout: 30000 });
    const info = await page.textContent("#upload-info");
    if (info.startsWith("40 examples, 2 features, 2 classes")) {
      passed++;
      console.log(`ok   upload: "${info}"`);
    } else {
      failed++;
      console.log(`FAIL upload: "${info}"`);
    }
  } catch (e) {
    failed++;
    console.log(`FAIL upload: ${e.message.split("\n")[0]}`);
  }
  await page.close();
}

await browser.close();
server.kill();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
