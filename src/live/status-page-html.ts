/**
 * The status page (status-page.ts serves it): one self-contained HTML document, no files to ship and nothing
 * fetched from elsewhere. Its script polls /api/status every second and the pictures a few times a second, with
 * the token from its own address.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>blurcam</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 16px; background: #f4f5f7; color: #1d2330; }
  h1 { font-size: 18px; margin: 0 0 12px; }
  .row { display: flex; gap: 16px; flex-wrap: wrap; }
  .card { background: #fff; border-radius: 8px; padding: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  img { width: 400px; height: 225px; object-fit: contain; background: #222; display: block; }
  dl { display: grid; grid-template-columns: max-content auto; gap: 2px 12px; margin: 0; }
  dt { color: #5b6475; }
  canvas { display: block; }
  fieldset { border: 0; padding: 0; margin: 0 0 8px; }
  #outcome { color: #5b6475; min-height: 1.4em; }
  .legend span { margin-right: 12px; }
</style>
</head>
<body>
<h1>blurcam</h1>
<div class="row">
  <div class="card"><div>Output</div><img id="output" alt="blurcam's output"></div>
  <div class="card"><div>Mask</div><img id="mask" alt="the person mask"></div>
  <div class="card">
    <dl>
      <dt>input</dt><dd id="input">-</dd>
      <dt>effect</dt><dd id="effect">-</dd>
      <dt>mode</dt><dd id="mode">-</dd>
      <dt>fps</dt><dd id="fps">-</dd>
      <dt>frames</dt><dd id="frames">-</dd>
      <dt>provider</dt><dd id="provider">-</dd>
      <dt>output</dt><dd id="sink">-</dd>
      <dt>live scene</dt><dd id="scene">-</dd>
    </dl>
  </div>
</div>
<div class="row" style="margin-top:16px">
  <div class="card">
    <div>Last minute: frames per second, and median time per stage (ms)</div>
    <canvas id="chart" width="820" height="260" data-points="0"></canvas>
    <div class="legend" id="legend"></div>
  </div>
  <div class="card">
    <div>Effect of the live scene</div>
    <fieldset>
      <button data-effect="blur">Blur</button>
      <button data-effect="replace">Replace</button>
      <button data-effect="none">None</button>
    </fieldset>
    <fieldset>
      <label>Blur strength <input id="strength" type="range" min="0" max="1" step="0.05" value="0.5"></label>
    </fieldset>
    <fieldset>
      <label>Background image <input id="background" type="text" size="28" placeholder="/path/to/picture.jpg"></label>
      <button id="apply-background">Use</button>
    </fieldset>
    <div id="outcome"></div>
  </div>
</div>
<script>
const token = new URLSearchParams(location.search).get('token');
const headers = { 'x-blurcam-token': token };
const SERIES = [
  ['fpsIn', 'fps in', '#1f6feb', 'fps'], ['fpsOut', 'fps out', '#8250df', 'fps'],
  ['capture', 'capture', '#57606a', 'ms'], ['segment', 'segment', '#d1242f', 'ms'],
  ['composite', 'composite', '#bf8700', 'ms'], ['output', 'output', '#1a7f37', 'ms'],
];
document.getElementById('legend').innerHTML = SERIES.map(([, label, colour]) => '<span style="color:' + colour + '">&#9632; ' + label + '</span>').join('');

function text(id, value) { document.getElementById(id).textContent = value; }

function draw(history) {
  const canvas = document.getElementById('chart');
  const context = canvas.getContext('2d');
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  canvas.dataset.points = String(history.length);
  const panels = [['fps', 0], ['ms', width / 2]];
  for (const [unit, left] of panels) {
    const values = history.flatMap((point) => SERIES.filter((s) => s[3] === unit).map(([key]) => unit === 'fps' ? point[key] : point.stagesMs[key]).filter((v) => v !== null));
    const top = Math.max(1, ...values) * 1.1;
    const w = width / 2 - 40;
    const h = height - 30;
    context.strokeStyle = '#d0d7de';
    context.strokeRect(left + 30, 5, w, h);
    context.fillStyle = '#5b6475';
    context.fillText(top.toFixed(unit === 'fps' ? 0 : 1) + ' ' + unit, left + 2, 12);
    context.fillText('0', left + 18, h + 5);
    for (const [key, , colour, seriesUnit] of SERIES) {
      if (seriesUnit !== unit) continue;
      context.strokeStyle = colour;
      context.beginPath();
      let started = false;
      history.forEach((point, index) => {
        const value = unit === 'fps' ? point[key] : point.stagesMs[key];
        if (value === null) return;
        const x = left + 30 + (w * (index + 60 - history.length)) / 59;
        const y = 5 + h - (h * value) / top;
        if (started) context.lineTo(x, y);
        else context.moveTo(x, y);
        started = true;
      });
      context.stroke();
    }
  }
}

async function refreshStatus() {
  const response = await fetch('/api/status', { headers });
  if (!response.ok) return;
  const { status, history } = await response.json();
  text('input', status.input);
  text('effect', status.effect);
  text('mode', status.mode);
  text('fps', 'in ' + status.fpsIn.toFixed(1) + ', out ' + status.fpsOut.toFixed(1));
  text('frames', status.framesIn + ' in, ' + status.framesOut + ' out, ' + status.segmented + ' segmented, ' + status.dropped + ' dropped');
  text('provider', status.provider);
  text('sink', status.output);
  text('scene', status.liveScene ? status.liveScene.name + (status.liveScene.showsBlurcam ? '' : ' (does not show blurcam)') : '-');
  draw(history);
}

async function refreshPicture(kind) {
  const response = await fetch('/api/frame?kind=' + kind, { headers });
  const image = document.getElementById(kind);
  if (response.status !== 200) return;
  const previous = image.src;
  image.src = URL.createObjectURL(await response.blob());
  if (previous) URL.revokeObjectURL(previous);
}

async function control(request) {
  const response = await fetch('/api/control', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const { line } = await response.json();
  text('outcome', line || '');
  refreshStatus();
}

for (const button of document.querySelectorAll('[data-effect]')) button.onclick = () => control({ effect: button.dataset.effect });
document.getElementById('strength').onchange = (event) => control({ blurStrength: Number(event.target.value) });
document.getElementById('apply-background').onclick = () => control({ background: document.getElementById('background').value });

async function loop(work, everyMs) {
  for (;;) {
    try { await work(); } catch { /* blurcam stopped or is busy: try again */ }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
loop(refreshStatus, 1000);
loop(() => refreshPicture('output'), 250);
loop(() => refreshPicture('mask'), 250);
</script>
</body>
</html>
`;
