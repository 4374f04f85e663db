/**
 * The technician's page: one self-contained HTML document (no build step, no CDN — the box may be
 * offline) that polls the JSON endpoints. Sized for a phone in front of the cabinet.
 */
export function renderPage(gatewayId: string): string {
  const esc = gatewayId.replace(/[^A-Za-z0-9_-]/g, '');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc} · edge agent</title>
<style>
body{font:15px/1.4 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}
header{background:#1d2430;color:#fff;padding:10px 14px;display:flex;justify-content:space-between;flex-wrap:wrap}
main{padding:10px;display:grid;gap:12px}
section{background:#fff;border-radius:8px;padding:10px;box-shadow:0 1px 2px #0002}
h2{font-size:16px;margin:0 0 8px}
.cams{display:grid;gap:10px;grid-template-columns:repeat(auto-fill,minmax(300px,1fr))}
.cam img{width:100%;border-radius:4px;background:#000;min-height:120px;display:block}
.frame{position:relative}.frame svg{position:absolute;inset:0;width:100%;height:100%;pointer-events:none}
.frame line{stroke:#ffd60a;stroke-width:3}.frame polygon{fill:#2f81f733;stroke:#2f81f7;stroke-width:2}
.tag{position:absolute;transform:translate(-50%,-50%);font-size:11px;background:#000b;color:#fff;padding:0 4px;border-radius:3px;white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;color:#fff}
.streaming,.pass{background:#1a7f37}.connecting,.warn,.skip{background:#9a6700}.offline,.fail{background:#cf222e}.disabled{background:#6e7781}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{text-align:left;padding:3px 5px;border-bottom:1px solid #eee;vertical-align:top}
button{font:inherit;padding:4px 10px}
</style></head>
<body>
<header><strong>Gateway ${esc}</strong><span id="summary">loading…</span></header>
<main>
<section><h2>Cameras</h2><div class="cams" id="cams"></div></section>
<section><h2>Diagnostics <button id="rundiag">Run again</button></h2><div id="verdict"></div><table id="diag"></table></section>
<section><h2>Detector capacity</h2><div id="capacity">measured by the next diagnostics run</div></section>
<section><h2>Outbox</h2><div id="outbox">–</div></section>
<section><h2>Recent events</h2><table id="events"></table></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const text = (v) => String(v).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
async function refresh() {
  const r = await fetch('/api/status', { cache: 'no-store' });
  if (!r.ok) { $('summary').textContent = 'status unavailable (' + r.status + ')'; return; }
  const s = await r.json();
  $('summary').textContent = 'v' + s.version + ' · up ' + Math.round(s.uptimeS / 60) + ' min · uplink ' + (s.uplink.connected ? 'connected' : 'OFFLINE');
  const cams = $('cams');
  for (const c of s.cameras) {
    let card = document.getElementById('cam-' + c.id);
    if (!card) {
      card = document.createElement('div'); card.className = 'cam'; card.id = 'cam-' + c.id;
      card.innerHTML = '<div class="frame"><img alt="snapshot of ' + text(c.id) + '"><svg viewBox="0 0 1 1" preserveAspectRatio="none"></svg><div class="tags"></div></div><div class="info"></div>';
      cams.appendChild(card);
    }
    loadSnapshot(c.id, card.querySelector('img'));
    drawOverlay(c, card);
    const boxes = c.boxes.map((b) => text(b.label) + ' ' + b.score.toFixed(2)).join(', ') || 'no objects';
    card.querySelector('.info').innerHTML = '<strong>' + text(c.name || c.id) + '</strong> <span class="badge ' + text(c.state) + '">' + text(c.state) + '</span><br>' +
      'in ' + c.fpsIn.toFixed(1) + ' fps · detected ' + (c.detectFps ?? 0).toFixed(1) + ' fps · dropped ' + c.dropped + ' · reconnects ' + c.reconnects +
      (c.motionPercent !== undefined ? ' · motion ' + c.motionPercent.toFixed(1) + '%' : '') + '<br>' + boxes +
      (c.lines && c.countsFrom ? '<br>counts since ' + text(c.countsFrom.slice(11, 19)) + ': ' + c.lines.map((l) => text(l.name) + ' ' + Object.entries(l.counts).filter(([, v]) => v.ab + v.ba > 0).map(([k, v]) => text(k) + ' ' + v.ab + '/' + v.ba).join(', ')).join('; ') : '') +
      (c.lastError ? '<br><span class="badge fail">' + text(c.lastError.code) + '</span> ' + text(c.lastError.message) : '');
  }
  const k = s.capacity;
  if (k) $('capacity').innerHTML = '<strong>' + text(k.model.file) + '</strong> (' + text(k.model.input) + (k.model.description ? ', ' + text(k.model.description) : '') + ')<br>' +
    text(k.inferenceMs) + ' ms per inference on this box (' + text(k.threads) + ' thread(s))<br>' +
    'carries about <strong>' + text(k.camerasCarried) + '</strong> camera(s) of ' + text(k.basis) + ' in busy scenes' +
    (k.cameras.length ? '; the configured cameras keep the detector ' + text(k.busyLoadPercent) + '% busy there' : '') +
    '<br><small>' + text(k.formula) + ' · measured ' + text(k.measuredAt.slice(0, 19).replace('T', ' ')) + '</small>';
  const o = s.outbox;
  $('outbox').textContent = o ? o.pending + ' pending, ' + (o.bytes / 1048576).toFixed(1) + ' MB, oldest ' + o.oldestAgeS + ' s, evicted ' + Object.values(o.evicted).reduce((a, b) => a + b, 0) : 'not available';
  $('events').innerHTML = '<tr><th>time</th><th>camera</th><th>event</th><th>object</th></tr>' + s.recentEvents.map((e) =>
    '<tr><td>' + text(e.ts.slice(11, 19)) + '</td><td>' + text(e.camera) + '</td><td>' + text(e.type) + '</td><td>' + text(e.label) + ' ' + e.score.toFixed(2) + '</td></tr>').join('');
}
// Lines and zones over the snapshot (0..1 coordinates), with the running interval's counts per
// direction and the tracks in each zone now.
const sum = (counts, d) => Object.values(counts).reduce((a, c) => a + c[d], 0);
const pct = (v) => (v * 100).toFixed(2) + '%';
function drawOverlay(c, card) {
  const svg = [], tags = [];
  for (const z of c.zones || []) {
    svg.push('<polygon vector-effect="non-scaling-stroke" points="' + z.polygon.map((p) => p[0] + ',' + p[1]).join(' ') + '"/>');
    const n = Object.entries(z.occupancy).map(([l, k]) => text(l) + ' ' + k).join(', ') || 'empty';
    tags.push('<span class="tag zone-tag" style="left:' + pct(z.polygon[0][0]) + ';top:' + pct(z.polygon[0][1]) + '">' + text(z.name) + ': ' + n + '</span>');
  }
  for (const l of c.lines || []) {
    svg.push('<line vector-effect="non-scaling-stroke" x1="' + l.from[0] + '" y1="' + l.from[1] + '" x2="' + l.to[0] + '" y2="' + l.to[1] + '"/>');
    tags.push('<span class="tag line-tag" style="left:' + pct((l.from[0] + l.to[0]) / 2) + ';top:' + pct((l.from[1] + l.to[1]) / 2) + '">' + text(l.name) + ' ab ' + sum(l.counts, 'ab') + ' · ba ' + sum(l.counts, 'ba') + '</span>');
  }
  card.querySelector('svg').innerHTML = svg.join('');
  card.querySelector('.tags').innerHTML = tags.join('');
}
// Swap in a snapshot only once it has fully arrived, one request per camera at a time: on a slow
// box or a slow phone link the picture never flickers and requests never pile up.
const loading = new Set();
async function loadSnapshot(id, img) {
  if (loading.has(id)) return;
  loading.add(id);
  try {
    const r = await fetch('/api/cameras/' + encodeURIComponent(id) + '/snapshot.jpg', { cache: 'no-store' });
    if (!r.ok) return;
    const url = URL.createObjectURL(await r.blob());
    const old = img.src;
    img.src = url;
    if (old.startsWith('blob:')) URL.revokeObjectURL(old);
  } finally {
    loading.delete(id);
  }
}
async function diag() {
  $('verdict').textContent = 'running…';
  const r = await fetch('/api/diag', { cache: 'no-store' });
  if (!r.ok) { $('verdict').textContent = 'diagnostics unavailable (' + r.status + ')'; return; }
  const d = await r.json();
  $('verdict').innerHTML = '<span class="badge ' + text(d.verdict) + '">' + text(d.verdict) + '</span> ' + text(d.summary);
  $('diag').innerHTML = d.checks.map((c) => '<tr><td><span class="badge ' + text(c.status) + '">' + text(c.status) + '</span></td><td>' + text(c.title) +
    '</td><td>' + text(c.value === null ? '' : c.value) + (c.unit ? ' ' + text(c.unit) : '') + '</td><td>' + text(c.remedy || c.detail || '') + '</td></tr>').join('');
}
$('rundiag').onclick = diag;
refresh(); diag(); setInterval(refresh, 2000);
</script>
</body></html>`;
}
