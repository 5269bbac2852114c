// Orrery trace viewer: swimlanes on a canvas. The Go side (package
// trace/html) embeds the records as a JSON array of
// [t, seq, lane, cause, mark, flags, text] and a meta object; this script
// indexes them once and draws only the visible range.
(function () {
  'use strict';
  const loadStart = performance.now();

  // Mark kinds and flags, as in data.go.
  const EVENT = 0, LOG = 1, FAULT = 2, PROCESS = 3, RUN = 4;
  const F_INFRA = 1, F_ERROR = 2, F_WARN = 4;

  const LABEL_W = 190, AXIS_H = 26, HIT_PX = 7, ARROW_LIMIT = 4000, CHAIN_LIST_MAX = 400, CHAIN_RINGS_MAX = 150;
  let LANE_H = 28; // set by resize to fill the height, between 22 and 44 pixels

  const meta = JSON.parse(document.getElementById('trace-meta').textContent);
  const raw = JSON.parse(document.getElementById('trace-data').textContent);
  const parseMs = performance.now() - loadStart;

  // Columns.
  const N = raw.length;
  const T = new Float64Array(N), SEQ = new Float64Array(N), CAUSE = new Float64Array(N);
  const LANE = new Int32Array(N), MARK = new Uint8Array(N), FLAGS = new Uint8Array(N), TEXT = new Array(N);
  for (let i = 0; i < N; i++) {
    const r = raw[i];
    T[i] = r[0]; SEQ[i] = r[1]; LANE[i] = r[2]; CAUSE[i] = r[3]; MARK[i] = r[4]; FLAGS[i] = r[5]; TEXT[i] = r[6];
  }
  const isEvent = (i) => MARK[i] === EVENT || MARK[i] === PROCESS;

  // Index by seq: the first event of each seq, and the first record of any
  // kind for seqs without an event.
  const eventBySeq = new Map(), anyBySeq = new Map();
  for (let i = 0; i < N; i++) {
    const s = SEQ[i];
    if (isEvent(i) && !eventBySeq.has(s)) eventBySeq.set(s, i);
    if (!anyBySeq.has(s)) anyBySeq.set(s, i);
  }
  const recordOfSeq = (s) => eventBySeq.has(s) ? eventBySeq.get(s) : anyBySeq.get(s);

  // Lanes: ROW[lane] is its row on screen, LANE_AT[row] the lane there.
  const nLanes = meta.lanes.length;
  const LANE_AT = meta.order, ROW = new Int32Array(nLanes);
  LANE_AT.forEach((lane, row) => { ROW[lane] = row; });
  const groupOf = (name) => name.includes('/') ? name.slice(0, name.indexOf('/')) : name;

  // Per-lane record indexes, in record order (so sorted by x).
  const laneCount = new Int32Array(nLanes);
  for (let i = 0; i < N; i++) laneCount[LANE[i]]++;
  const laneIdx = Array.from(laneCount, (n) => new Int32Array(n));
  laneCount.fill(0);
  for (let i = 0; i < N; i++) laneIdx[LANE[i]][laneCount[LANE[i]]++] = i;

  // X is the horizontal coordinate of each record: logical time (kept non
  // decreasing so that it can be searched) or the record's index.
  const X = new Float64Array(N);
  let axisMode = 'time';
  function computeX() {
    let last = -Infinity;
    for (let i = 0; i < N; i++) {
      if (axisMode === 'time') { last = Math.max(last, T[i]); X[i] = last; } else X[i] = i;
    }
  }
  computeX();
  const indexMs = performance.now() - loadStart - parseMs;

  // lowerBound returns the first position p in arr[from..to) (indices into
  // X, or X itself when arr is null) with X >= x.
  function lowerBound(arr, x) {
    let lo = 0, hi = arr ? arr.length : N;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (X[arr ? arr[mid] : mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // View state: x0 is the data coordinate at the left of the plot, scale
  // pixels per data unit, scrollY the lanes scrolled off the top, in pixels.
  const view = { x0: 0, scale: 1, scrollY: 0, w: 0, h: 0 };
  let selected = -1, chain = [], chainSet = new Set(), chainBroken = 0, hover = -1;
  let lastRenderMs = 0;

  const canvas = document.getElementById('canvas');
  const ctx = canvas.getContext('2d');
  const viewEl = document.getElementById('view');
  const statusEl = document.getElementById('status');
  const plotW = () => Math.max(10, view.w - LABEL_W - 12);
  const toPx = (x) => LABEL_W + (x - view.x0) * view.scale;
  const toX = (px) => view.x0 + (px - LABEL_W) / view.scale;
  const rowY = (lane) => AXIS_H + ROW[lane] * LANE_H - view.scrollY + LANE_H / 2;

  function resize() {
    const dpr = window.devicePixelRatio || 1;
    view.w = viewEl.clientWidth; view.h = viewEl.clientHeight;
    canvas.width = Math.round(view.w * dpr); canvas.height = Math.round(view.h * dpr);
    canvas.style.width = view.w + 'px'; canvas.style.height = view.h + 'px';
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    LANE_H = Math.max(22, Math.min(44, Math.floor((view.h - AXIS_H - 8) / Math.max(nLanes, 1))));
  }

  function fit() {
    const lo = N ? X[0] : 0, hi = N ? X[N - 1] : 1;
    const span = Math.max(hi - lo, 1);
    view.scale = (plotW() - 30) / span;
    view.x0 = lo - 15 / view.scale; // room for the first and last marks
    view.scrollY = 0;
  }
  const minScale = () => plotW() / Math.max((N ? X[N - 1] - X[0] : 1), 1) / 4;
  const maxScale = () => axisMode === 'time' ? 50 : 400; // 50 px per ns, 400 px per record

  function clampView() {
    view.scale = Math.min(Math.max(view.scale, minScale()), maxScale());
    const maxY = Math.max(0, AXIS_H + nLanes * LANE_H - view.h + 10);
    view.scrollY = Math.min(Math.max(view.scrollY, 0), maxY);
  }

  // ---- drawing ----

  let pending = false;
  function requestRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  }

  function render() {
    const t0 = performance.now();
    clampView();
    ctx.clearRect(0, 0, view.w, view.h);
    drawLanes();
    const lo = toX(LABEL_W - HIT_PX), hi = toX(view.w);
    const visible = lowerBound(null, hi + 1e-9) - lowerBound(null, lo);
    ctx.save();
    ctx.beginPath(); ctx.rect(LABEL_W, AXIS_H, view.w - LABEL_W, view.h - AXIS_H); ctx.clip();
    if (visible <= ARROW_LIMIT) drawMessages(lo, hi);
    drawMarks(lo, hi);
    const dense = drawChain(lo, hi);
    drawHighlights(dense);
    ctx.restore();
    drawAxis();
    drawLabels();
    lastRenderMs = performance.now() - t0;
    showStatus(visible);
  }

  function drawLanes() {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, view.w, view.h);
    let prevGroup = null;
    for (let row = 0; row < nLanes; row++) {
      const y = AXIS_H + row * LANE_H - view.scrollY;
      if (y + LANE_H < AXIS_H || y > view.h) { prevGroup = groupOf(meta.lanes[LANE_AT[row]]); continue; }
      ctx.fillStyle = row % 2 ? '#f7f8fa' : '#fff';
      ctx.fillRect(0, y, view.w, LANE_H);
      const g = groupOf(meta.lanes[LANE_AT[row]]);
      if (prevGroup !== null && g !== prevGroup) {
        ctx.fillStyle = '#b9c0cc';
        ctx.fillRect(0, y, view.w, 1);
      }
      prevGroup = g;
      ctx.fillStyle = '#e3e6eb';
      ctx.fillRect(LABEL_W, y + LANE_H / 2, view.w - LABEL_W, 1);
    }
  }

  // Marks are batched into one path per style; within a lane a style draws
  // at most one mark per pixel column, so a zoomed-out view of 100,000
  // records costs a few thousand rectangles.
  const STYLES = [
    { color: '#3d7bd9' },          // 0 event
    { color: '#8a94a6' },          // 1 log
    { color: '#e0352b' },          // 2 fault
    { color: '#8e44ad' },          // 3 process
    { color: '#4a5160' },          // 4 start / end
    { color: '#e0352b' },          // 5 error-level record
    { color: '#e6a11a' },          // 6 warn-level record
    { color: '#a9c4ec' },          // 7 infra event
  ];
  function styleOf(i) {
    const f = FLAGS[i], m = MARK[i];
    if (m === FAULT || m === PROCESS || m === RUN) return m;
    if (f & F_ERROR) return 5;
    if (f & F_WARN) return 6;
    if (m === EVENT && (f & F_INFRA)) return 7;
    return m;
  }

  function markPath(p, s, px, y) {
    switch (s) {
      case FAULT: p.moveTo(px, y - 8); p.lineTo(px + 6, y); p.lineTo(px, y + 8); p.lineTo(px - 6, y); p.closePath(); break;
      case PROCESS: p.moveTo(px - 6, y - 9); p.lineTo(px + 6, y - 9); p.lineTo(px, y + 5); p.closePath(); break;
      case RUN: p.rect(px - 1, y - 11, 2, 22); break;
      case LOG: case 6: p.rect(px - 1.5, y + 1, 3, 8); break;
      case 5: p.moveTo(px + 5, y); p.arc(px, y, 5, 0, 2 * Math.PI); break;
      default: p.rect(px - 1.5, y - 8, 3, 10);
    }
  }

  function drawMarks(lo, hi) {
    const paths = STYLES.map(() => new Path2D());
    const lastPx = new Float64Array(STYLES.length);
    for (let lane = 0; lane < nLanes; lane++) {
      const y = rowY(lane);
      if (y < AXIS_H - LANE_H || y > view.h + LANE_H) continue;
      const idx = laneIdx[lane];
      lastPx.fill(-1e9);
      for (let p = lowerBound(idx, lo); p < idx.length; p++) {
        const i = idx[p];
        if (X[i] > hi) break;
        const px = Math.round(toPx(X[i])), s = styleOf(i);
        if (px === lastPx[s]) continue;
        lastPx[s] = px;
        markPath(paths[s], s, px, y);
      }
    }
    // Draw the common kinds first so that faults and errors stay on top.
    for (const s of [7, 1, 6, 0, 4, 3, 5, 2]) {
      ctx.fillStyle = STYLES[s].color;
      ctx.fill(paths[s]);
    }
  }

  // Messages: an event whose cause is on another lane gets an arrow from
  // the cause's mark.
  function drawMessages(lo, hi) {
    const lines = new Path2D(), heads = new Path2D();
    for (let lane = 0; lane < nLanes; lane++) {
      const idx = laneIdx[lane];
      for (let p = lowerBound(idx, lo); p < idx.length && X[idx[p]] <= hi; p++) {
        const i = idx[p];
        if (!isEvent(i) || CAUSE[i] === 0) continue;
        const c = eventBySeq.get(CAUSE[i]);
        if (c === undefined || LANE[c] === LANE[i]) continue;
        arrow(lines, heads, c, i);
      }
    }
    ctx.strokeStyle = 'rgba(61,123,217,0.45)'; ctx.lineWidth = 1; ctx.stroke(lines);
    ctx.fillStyle = 'rgba(61,123,217,0.7)'; ctx.fill(heads);
  }

  function arrow(lines, heads, from, to) {
    const x1 = toPx(X[from]), y1 = rowY(LANE[from]), x2 = toPx(X[to]), y2 = rowY(LANE[to]);
    lines.moveTo(x1, y1); lines.lineTo(x2, y2);
    const a = Math.atan2(y2 - y1, x2 - x1), l = 7;
    heads.moveTo(x2, y2);
    heads.lineTo(x2 - l * Math.cos(a - 0.4), y2 - l * Math.sin(a - 0.4));
    heads.lineTo(x2 - l * Math.cos(a + 0.4), y2 - l * Math.sin(a + 0.4));
    heads.closePath();
  }

  // drawChain draws the links of the selected chain that cross the view,
  // thinner when there are many, and reports whether there were.
  function drawChain(lo, hi) {
    const lines = new Path2D(), heads = new Path2D();
    let n = 0;
    for (let k = chain.length - 1; k > 0; k--) {
      const a = X[chain[k]], b = X[chain[k - 1]];
      if ((a < lo && b < lo) || (a > hi && b > hi)) continue;
      arrow(lines, heads, chain[k], chain[k - 1]);
      n++;
    }
    if (n > CHAIN_RINGS_MAX) { // too many to follow: dots on the links' marks, zoom in for arrows
      chainDots(lo, hi);
      return true;
    }
    ctx.strokeStyle = '#f39c12'; ctx.lineWidth = 2.5; ctx.stroke(lines);
    ctx.fillStyle = '#f39c12'; ctx.fill(heads);
    ctx.lineWidth = 1;
    return false;
  }

  function chainDots(lo, hi) {
    const dots = new Path2D();
    for (const i of chain) {
      if (X[i] < lo || X[i] > hi) continue;
      const px = Math.round(toPx(X[i])), y = rowY(LANE[i]) - 11;
      dots.rect(px - 1.5, y, 3, 3);
    }
    ctx.fillStyle = '#f39c12';
    ctx.fill(dots);
  }

  function ring(i, color, r, width) {
    ctx.beginPath();
    ctx.arc(toPx(X[i]), rowY(LANE[i]), r, 0, 2 * Math.PI);
    ctx.strokeStyle = color; ctx.lineWidth = width; ctx.stroke();
    ctx.lineWidth = 1;
  }

  function drawHighlights(dense) {
    if (!dense) {
      const lo = toX(LABEL_W - 10), hi = toX(view.w + 10);
      for (const i of chain) if (X[i] >= lo && X[i] <= hi) ring(i, '#f39c12', 6, 2);
    }
    if (meta.failure >= 0) {
      ring(meta.failure, 'rgba(224,53,43,0.35)', 13, 6);
      ring(meta.failure, '#e0352b', 9, 2);
    }
    if (hover >= 0) ring(hover, '#1d2330', 7, 1);
    if (selected >= 0) ring(selected, '#111', 8, 2.5);
  }

  function drawAxis() {
    ctx.fillStyle = '#eef0f4';
    ctx.fillRect(0, 0, view.w, AXIS_H);
    ctx.fillStyle = '#b9c0cc';
    ctx.fillRect(0, AXIS_H - 1, view.w, 1);
    const step = niceStep(100 / view.scale);
    const first = Math.ceil(toX(LABEL_W) / step) * step;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (let x = first; toPx(x) < view.w; x += step) {
      const px = Math.round(toPx(x));
      ctx.fillStyle = '#b9c0cc'; ctx.fillRect(px, AXIS_H - 6, 1, 6);
      ctx.fillStyle = '#e9ecf1'; ctx.fillRect(px, AXIS_H, 1, view.h - AXIS_H);
      const label = axisLabel(x, step);
      if (px + 3 + ctx.measureText(label).width < view.w) { ctx.fillStyle = '#3b4252'; ctx.fillText(label, px + 3, AXIS_H / 2 - 2); }
    }
  }

  function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    const m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function axisLabel(x, step) {
    if (axisMode !== 'time') return '#' + Math.round(x);
    const digits = Math.min(9, Math.max(0, -Math.floor(Math.log10(step / 1e9))));
    return (x / 1e9).toFixed(digits) + 's';
  }

  function drawLabels() {
    ctx.fillStyle = '#eef0f4';
    ctx.fillRect(0, AXIS_H, LABEL_W, view.h - AXIS_H);
    ctx.fillStyle = '#b9c0cc';
    ctx.fillRect(LABEL_W - 1, 0, 1, view.h);
    ctx.font = '12px ui-monospace, Menlo, Consolas, monospace';
    ctx.textBaseline = 'middle';
    const chainLanes = new Set(chain.map((i) => LANE[i]));
    for (let row = 0; row < nLanes; row++) {
      const lane = LANE_AT[row], y = rowY(lane);
      if (y < AXIS_H || y > view.h) continue;
      const onChain = chainLanes.has(lane);
      ctx.fillStyle = onChain ? '#c0720a' : '#1d2330';
      ctx.fillText(fitText(meta.lanes[lane], LABEL_W - 14), 8, y);
    }
    ctx.fillStyle = '#5a6275';
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillText(nLanes + ' lanes · ' + N + ' records', 8, AXIS_H / 2);
  }

  function fitText(s, w) {
    if (ctx.measureText(s).width <= w) return s;
    while (s.length > 1 && ctx.measureText('…' + s).width > w) s = s.slice(1);
    return '…' + s;
  }

  function showStatus(visible) {
    const what = hover >= 0 ? TEXT[hover] : 'wheel: zoom · drag: pan · shift+wheel: scroll lanes · click: select';
    const arrows = visible > ARROW_LIMIT ? ' · zoom in to see messages' : '';
    statusEl.textContent = visible + ' visible' + arrows + ' · ' + what;
  }

  // ---- selection ----

  // chainOf returns the record i followed by the events of its causal chain:
  // for a log or fault, the event being processed when it was written; then
  // each event's cause, back to the setup (cause 0) or to a cause missing
  // from the trace (returned as broken).
  function chainOf(i) {
    const out = [i];
    let e = isEvent(i) ? i : eventBySeq.get(SEQ[i]);
    if (e !== undefined && e !== i) out.push(e);
    let broken = 0;
    while (e !== undefined && CAUSE[e] !== 0) {
      const c = eventBySeq.get(CAUSE[e]);
      if (c === undefined) { broken = CAUSE[e]; break; }
      if (SEQ[c] >= SEQ[e]) break; // a cause is always earlier; stop on a malformed trace
      out.push(c);
      e = c;
    }
    return { links: out, broken: broken };
  }

  function select(i) {
    selected = i;
    const ch = chainOf(i);
    chain = ch.links; chainBroken = ch.broken;
    chainSet = new Set(chain);
    document.getElementById('record').textContent = TEXT[i] + '\n\nlane: ' + meta.lanes[LANE[i]];
    showChain();
    requestRender();
  }

  function showChain() {
    const ol = document.getElementById('chain');
    ol.textContent = '';
    document.getElementById('chain-title').textContent = 'Causal chain (' + chain.length + ', newest first)';
    const frag = document.createDocumentFragment();
    chain.slice(0, CHAIN_LIST_MAX).forEach((i) => {
      const li = document.createElement('li');
      li.textContent = TEXT[i];
      li.dataset.index = i;
      li.title = 'lane ' + meta.lanes[LANE[i]];
      frag.appendChild(li);
    });
    const end = document.createElement('li');
    end.className = 'more';
    end.textContent = (chain.length > CHAIN_LIST_MAX ? '… ' + (chain.length - CHAIN_LIST_MAX) + ' more; ' : '') +
      (chainBroken ? 'scheduled by seq=' + chainBroken + ', which the trace does not hold' : 'scheduled during setup');
    frag.appendChild(end);
    ol.appendChild(frag);
  }

  document.getElementById('chain').addEventListener('click', (e) => {
    const li = e.target.closest('li');
    if (li && li.dataset.index !== undefined) { const i = +li.dataset.index; centerOn(i); select(i); }
  });

  // centerOn scrolls (and if the view is far out, zooms) so that record i
  // is in the middle.
  function centerOn(i) {
    const a = X[Math.max(0, i - 200)], b = X[Math.min(N - 1, i + 200)];
    const visible = lowerBound(null, toX(view.w)) - lowerBound(null, toX(LABEL_W));
    if (visible > 2000 && b > a) view.scale = plotW() / (b - a);
    clampView();
    view.x0 = X[i] - plotW() / 2 / view.scale;
    const y = AXIS_H + ROW[LANE[i]] * LANE_H - view.scrollY;
    if (y < AXIS_H || y + LANE_H > view.h) view.scrollY += y - (AXIS_H + view.h) / 2;
    clampView();
  }

  // hitTest returns the record whose mark is nearest the canvas point
  // (px, py), within HIT_PX pixels, in the lane under it; -1 if none.
  function hitTest(px, py) {
    const row = Math.floor((py - AXIS_H + view.scrollY) / LANE_H);
    if (px < LABEL_W || py < AXIS_H || row < 0 || row >= nLanes) return -1;
    const idx = laneIdx[LANE_AT[row]], x = toX(px), r = HIT_PX / view.scale;
    let best = -1, bestD = Infinity;
    for (let p = lowerBound(idx, x - r); p < idx.length && X[idx[p]] <= x + r; p++) {
      const d = Math.abs(X[idx[p]] - x);
      if (d < bestD || (d === bestD && isEvent(idx[p]) && !isEvent(best))) { best = idx[p]; bestD = d; }
    }
    return best;
  }

  // clickAt is what a click on the canvas does, at client coordinates.
  function clickAt(clientX, clientY) {
    const b = canvas.getBoundingClientRect();
    const i = hitTest(clientX - b.left, clientY - b.top);
    if (i >= 0) select(i);
    return i;
  }

  // ---- input ----

  let drag = null;
  canvas.addEventListener('mousedown', (e) => {
    drag = { x: e.clientX, y: e.clientY, x0: view.x0, sy: view.scrollY, moved: false };
    canvas.classList.add('dragging');
  });
  window.addEventListener('mousemove', (e) => {
    if (drag) {
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      view.x0 = drag.x0 - dx / view.scale;
      view.scrollY = drag.sy - dy;
      requestRender();
      return;
    }
    if (e.target !== canvas) return;
    const b = canvas.getBoundingClientRect();
    const h = hitTest(e.clientX - b.left, e.clientY - b.top);
    if (h !== hover) { hover = h; requestRender(); }
  });
  window.addEventListener('mouseup', (e) => {
    if (!drag) return;
    const click = !drag.moved;
    drag = null;
    canvas.classList.remove('dragging');
    if (click) clickAt(e.clientX, e.clientY);
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    if (e.shiftKey) { view.scrollY += e.deltaY || e.deltaX; requestRender(); return; }
    const b = canvas.getBoundingClientRect();
    const px = Math.max(LABEL_W, e.clientX - b.left), x = toX(px);
    view.scale *= Math.exp(-e.deltaY * 0.0015);
    clampView();
    view.x0 = x - (px - LABEL_W) / view.scale;
    requestRender();
  }, { passive: false });

  const search = document.getElementById('search');
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const s = Number(search.value.trim().replace(/^seq=/, ''));
    const i = Number.isInteger(s) ? recordOfSeq(s) : undefined;
    if (i === undefined) { statusEl.textContent = 'no record with seq ' + search.value; return; }
    centerOn(i);
    select(i);
  });
  document.getElementById('fit').addEventListener('click', () => { fit(); requestRender(); });
  const axisButton = document.getElementById('axis');
  axisButton.addEventListener('click', () => {
    axisMode = axisMode === 'time' ? 'order' : 'time';
    axisButton.textContent = 'axis: ' + axisMode;
    computeX(); fit();
    if (selected >= 0) centerOn(selected);
    requestRender();
  });
  window.addEventListener('keydown', (e) => {
    if (e.target === search) return;
    if (e.key === 'f') { fit(); requestRender(); }
  });
  window.addEventListener('resize', () => { resize(); requestRender(); });

  // ---- start ----

  resize();
  fit();
  if (meta.focus >= 0) {
    if (N > 2000) centerOn(meta.focus); // a large trace opens on the focus
    select(meta.focus);
  }
  render();
  const loadMs = performance.now() - loadStart;

  if (location.hash === '#selftest') selftest();

  // selftest runs the page's own checks and writes the results as JSON
  // into <pre id="selftest"> and a verdict into the title, for the Go
  // test that loads the page in headless Chromium.
  function selftest() {
    const res = { ok: true, records: N, lanes: nLanes, parseMs: parseMs, indexMs: indexMs, loadMs: loadMs, checks: [] };
    const check = (name, ok, detail) => {
      res.checks.push({ name: name, ok: !!ok, detail: detail === undefined ? '' : String(detail) });
      if (!ok) res.ok = false;
    };
    try {
      selftestChecks(res, check);
    } catch (err) {
      check('no exception', false, err && err.stack || err);
    }
    const out = document.getElementById('selftest');
    out.hidden = false;
    out.textContent = JSON.stringify(res);
    document.title = 'selftest ' + (res.ok ? 'PASS' : 'FAIL');
  }

  function selftestChecks(res, check) {
    check('data loaded', N === meta.count && N > 0, N + ' of ' + meta.count);
    check('lanes indexed', LANE_AT.length === nLanes && laneIdx.reduce((n, a) => n + a.length, 0) === N);
    if (meta.focus >= 0) {
      check('focus selected at load', selected === meta.focus, 'selected ' + selected + ', focus ' + meta.focus);
      check('focus chain highlighted', chainSet.has(meta.focus) && sameChain(meta.focus), chain.length + ' links');
    }

    // Render the whole trace (the worst case), then zoomed in.
    fit();
    let worst = 0;
    for (let k = 0; k < 3; k++) { render(); worst = Math.max(worst, lastRenderMs); }
    res.renderFullMs = worst;
    view.scale *= 200; view.x0 = X[N >> 1]; render();
    res.renderZoomedMs = lastRenderMs;
    res.renderMs = Math.max(worst, lastRenderMs);
    check('render under 2s', res.renderMs < 2000, res.renderMs.toFixed(1) + 'ms');

    // Click: the event nearest the middle whose cause is on another lane.
    const j = pickClickTarget();
    check('click target found', j >= 0, j);
    if (j < 0) return;
    centerOn(j);
    render();
    const b = canvas.getBoundingClientRect();
    const hit = clickAt(b.left + toPx(X[j]), b.top + rowY(LANE[j]));
    check('click selects the event', selected === j, 'hit ' + hit + ', want ' + j + ' seq=' + SEQ[j]);
    check('click highlights its causal chain', sameChain(j) && chain.length >= 2 && chain.every((i) => chainSet.has(i)),
      chain.length + ' links');
    check('chain ends at setup or at a missing cause', CAUSE[chain[chain.length - 1]] === 0 || chainBroken !== 0);
    const panel = document.getElementById('record').textContent;
    check('panel shows the record', panel.indexOf(TEXT[j]) === 0, panel.slice(0, 80));
    check('panel lists the chain', document.querySelectorAll('#chain li').length === Math.min(chain.length, CHAIN_LIST_MAX) + 1);

    // Search: type a seq, press Enter.
    const k = eventBySeq.get(SEQ[Math.floor(N / 3)]) ?? Math.floor(N / 3);
    fit(); render();
    search.value = String(SEQ[k]);
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    render();
    const mid = LABEL_W + plotW() / 2;
    check('search selects the seq', selected === recordOfSeq(SEQ[k]), 'selected ' + selected + ', seq ' + SEQ[k]);
    check('search centres the view', Math.abs(toPx(X[selected]) - mid) < 1, toPx(X[selected]) + ' vs ' + mid);
    if (meta.focus >= 0) select(meta.focus);
  }

  // sameChain checks the highlighted chain against an independent walk of
  // the raw records by cause.
  function sameChain(i) {
    const want = [i];
    let s = SEQ[i], e = isEvent(i) ? i : -1;
    if (e < 0) { e = raw.findIndex((r, k) => r[1] === s && isEvent(k)); if (e >= 0) want.push(e); }
    while (e >= 0 && CAUSE[e] !== 0) {
      const c = CAUSE[e];
      const next = raw.findIndex((r, k) => r[1] === c && isEvent(k));
      if (next < 0 || SEQ[next] >= SEQ[e]) break;
      want.push(next);
      e = next;
      if (want.length > 50) return chain.length >= want.length && want.every((w, k) => chain[k] === w);
    }
    return want.length === chain.length && want.every((w, k) => chain[k] === w);
  }

  function pickClickTarget() {
    const mid = N >> 1;
    for (let d = 0; d < N; d++) {
      for (const i of [mid + d, mid - d]) {
        if (i < 0 || i >= N || i === meta.focus || !isEvent(i) || CAUSE[i] === 0) continue;
        const c = eventBySeq.get(CAUSE[i]);
        if (c !== undefined && LANE[c] !== LANE[i]) return i;
      }
    }
    return -1;
  }
})();
