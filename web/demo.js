// Page side of the demo: controls, heatmap drawing, statistics. The solver lives in worker.js.
const $ = (id) => document.getElementById(id);
const canvas = $('view'),
  ctx = canvas.getContext('2d');
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

// Exposed for the browser test: frame count, mass history, current backend and status.
const demo = (window.__fractaxisDemo = {
  frames: 0,
  masses: [],
  backend: null,
  status: 'starting',
  t: 0,
  worstMinOverMax: Infinity,
});

const VIRIDIS = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];
function colour(u) {
  const x = Math.min(1, Math.max(0, u)) * 8,
    i = Math.min(7, Math.floor(x)),
    f = x - i,
    a = VIRIDIS[i],
    b = VIRIDIS[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

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

worker.onmessage = ({ data }) => {
  if (data.type === 'frame') {
    const { n, rho, min, max } = data;
    if (canvas.width !== n) {
      canvas.width = n;
      canvas.height = n;
    }
    const img = ctx.createImageData(n, n);
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) {
        const c = colour((rho[j * n + i] - min) / (max - min || 1)),
          o = 4 * ((n - 1 - j) * n + i);
        img.data[o] = c[0];
        img.data[o + 1] = c[1];
        img.data[o + 2] = c[2];
        img.data[o + 3] = 255;
      }
    ctx.putImageData(img, 0, 0);
    demo.frames++;
    demo.masses.push(data.mass);
    demo.worstMinOverMax = Math.min(demo.worstMinOverMax, min / max);
    demo.backend = data.backend;
    demo.status = data.status;
    demo.t = data.t;
    $('stats').textContent =
      `backend    ${data.backend}\nstatus     ${data.status}\nt          ${data.t.toFixed(4)}\nsteps/s    ${data.stepRate.toFixed(1)}\n` +
      `mass       ${data.mass.toPrecision(12)}\nmax ρ      ${max.toPrecision(5)}\nmin ρ      ${min.toPrecision(5)}\nframes     ${demo.frames}`;
  } else if (data.type === 'error') {
    demo.status = `error: ${data.message}`;
    $('stats').textContent = demo.status;
  }
};

for (const id of ['alpha', 'chi', 'r'])
  $(id).addEventListener('input', () => {
    showValues();
  });
for (const id of ['alpha', 'chi', 'r'])
  $(id).addEventListener('change', () => worker.postMessage({ type: 'start', params: params() }));
$('restart').addEventListener('click', () => worker.postMessage({ type: 'start', params: params() }));
// Switching backend continues the same run on the other backend (state handed over by checkpoint).
$('backend').addEventListener('change', () =>
  worker.postMessage({ type: 'backend', backend: $('backend').value }),
);
showValues();
worker.postMessage({ type: 'start', params: params() });
