// Page side of the demo: controls, the figure (the library's own SVG heatmap, as in the CLI's
// pictures), statistics, exports. The solver lives in worker.js.
import { heatmapFigure, encodeNpy } from '../dist/index.js';

const $ = (id) => document.getElementById(id);
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

// Exposed for the browser test: frames, mass history, backend, status, and the export canvas.
const demo = (window.__fractaxisDemo = {
  frames: 0,
  masses: [],
  times: [],
  backend: null,
  threads: null,
  status: 'starting',
  t: 0,
  worstMinOverMax: Infinity,
  last: null,
  toCanvas,
});

function params() {
  return {
    alpha: Number($('alpha').value),
    chi: Number($('chi').value),
    r: Number($('r').value),
    backend: $('backend').value,
  };
}
function showValues() {
  $('alphaValue').textContent = $('alpha').value;
  $('chiValue').textContent = $('chi').value;
  $('rValue').textContent = $('r').value;
}

function draw() {
  const f = demo.last;
  if (!f) return;
  $('figure').innerHTML = heatmapFigure(f.rho, f.n, f.n, {
    title: `ρ at t = ${f.t.toFixed(2)}   (α = ${f.params.alpha}, χ = ${f.params.chi}, r = ${f.params.r})`,
    label: 'ρ',
    lengths: [f.L, f.L],
    scale: $('scale').value,
  });
}

/** The current figure drawn on a canvas (the PNG export; the test reads its pixels). */
async function toCanvas(scale = 2) {
  const svg = $('figure').querySelector('svg');
  const w = Number(svg.getAttribute('width')),
    h = Number(svg.getAttribute('height'));
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = w * scale;
  canvas.height = h * scale;
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return canvas;
}

function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

worker.onmessage = ({ data }) => {
  if (data.type === 'frame') {
    demo.last = data;
    draw();
    demo.frames++;
    demo.masses.push(data.mass);
    demo.times.push(data.t);
    demo.worstMinOverMax = Math.min(demo.worstMinOverMax, data.min / data.max);
    demo.backend = data.backend;
    demo.threads = data.threads;
    demo.status = data.status;
    demo.t = data.t;
    const stopped = !['running', 'paused'].includes(data.status);
    $('status').textContent = stopped
      ? `stopped: ${data.status}${data.reason ? ` (${data.reason})` : ''}. The figure shows the last good state; restart or change a parameter to continue.`
      : data.status;
    $('status').className = stopped ? 'ended' : '';
    $('pause').textContent = data.paused ? 'resume' : 'pause';
    $('step').disabled = !data.paused || stopped;
    $('stats').textContent =
      `backend    ${data.backend} (${data.threads} thread${data.threads > 1 ? 's' : ''})\nt          ${data.t.toFixed(4)}\nsteps/s    ${data.stepRate.toFixed(1)}\n` +
      `mass       ${data.mass.toPrecision(12)}\nmax ρ      ${data.max.toPrecision(5)}\nmin ρ      ${data.min.toPrecision(5)}\nframes     ${demo.frames}`;
  } else if (data.type === 'error') {
    demo.status = `error: ${data.message}`;
    $('status').textContent = demo.status;
    $('status').className = 'ended';
  }
};

for (const id of ['alpha', 'chi', 'r']) {
  $(id).addEventListener('input', showValues);
  // Physics allows it: the running state continues under the new parameters (no restart).
  $(id).addEventListener('change', () => worker.postMessage({ type: 'params', params: params() }));
}
$('scale').addEventListener('change', draw);
$('pause').addEventListener('click', () =>
  worker.postMessage({ type: $('pause').textContent === 'pause' ? 'pause' : 'resume' }),
);
$('step').addEventListener('click', () => worker.postMessage({ type: 'step' }));
$('restart').addEventListener('click', () => worker.postMessage({ type: 'start', params: params() }));
// Switching backend continues the same run on the other backend (state handed over by checkpoint).
$('backend').addEventListener('change', () =>
  worker.postMessage({ type: 'backend', backend: $('backend').value }),
);
$('exportPng').addEventListener('click', async () => {
  const canvas = await toCanvas();
  canvas.toBlob((b) => download(`fractaxis-rho-t${demo.t.toFixed(2)}.png`, b), 'image/png');
});
$('exportData').addEventListener('click', () => {
  const f = demo.last;
  download(`fractaxis-rho-t${f.t.toFixed(2)}.npy`, new Blob([encodeNpy(f.rho, [f.n, f.n])]));
});
// Shareable settings: ?alpha=1.2&chi=5&r=0.5&scale=log&backend=js
for (const [k, v] of new URLSearchParams(location.search)) if ($(k) && k !== 'figure') $(k).value = v;
showValues();
worker.postMessage({ type: 'start', params: params() });
