// The playground page: it draws what the server computes and sends the
// user's commands back. It holds no model of its own.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);

  // Colours of TensorFlow Playground: orange for negative, blue for positive.
  const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];
  const LAYER_COLOURS = ['#7b3294', '#c2185b', '#2e7d32', '#ef6c00', '#00838f', '#5d4037', '#3949ab', '#9e9d24', '#6d4c41', '#d81b60'];
  const LRS = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
  const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
  const SPEEDS = [1, 5, 20, 60, 250, 0];
  const OPT_LABELS = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop', adagrad: 'Adagrad' };
  const REG_LABELS = { none: 'None', l1: 'L1', l2: 'L2' };
  const GROUP_LABELS = { classify: 'Classification', regress: 'Regression', chapter: "The chapter's functions", own: 'Your data' };
  const FRAME_MS = 1000 / 30; // at most 30 frames a second
  // The output heat map is drawn translucent over white, as TensorFlow
  // Playground draws it, so that the points, in full colour, stand out
  // even where the network classifies them right.
  const HEAT_ALPHA = 160 / 255;
  const UPLOAD_KEY = 'bigfunc.playground.upload';

  function makeLUT(discrete) {
    const lut = new Uint8ClampedArray(256 * 3);
    for (let q = 0; q < 256; q++) {
      let t = q / 127.5 - 1;
      if (discrete) t = t < 0 ? -1 : 1;
      const a = t < 0 ? NEG : POS, s = Math.abs(t);
      for (let c = 0; c < 3; c++) lut[q * 3 + c] = MID[c] + (a[c] - MID[c]) * s;
    }
    return lut;
  }
  const LUT = makeLUT(false), LUT_DISCRETE = makeLUT(true);
  const colourOf = (t) => {
    const q = Math.max(0, Math.min(255, Math.round((Math.max(-1, Math.min(1, t)) + 1) * 127.5)));
    return `rgb(${LUT[q * 3]},${LUT[q * 3 + 1]},${LUT[q * 3 + 2]})`;
  };

  const S = {
    meta: null, id: null, cfg: null, query: '', v: 0, cv: 0, dv: 0,
    frame: null, data: null, hasUpload: false, lost: false,
    queue: Promise.resolve(), draws: [], layout: null, hover: null,
    bytes: new Map(), shownMessage: '',
  };

  // ---- server calls -------------------------------------------------------

  async function api(path, opts) {
    const r = await fetch(path, opts);
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok) {
      const err = new Error((body && body.error) || `${r.status} ${r.statusText}`);
      err.status = r.status;
      throw err;
    }
    return body;
  }
  const post = (path, body, type) => api(path, {
    method: 'POST', headers: { 'Content-Type': type || 'application/x-www-form-urlencoded' }, body: body || '',
  });
  const sessionPath = (p) => `/api/sessions/${S.id}/${p}`;

  // serial runs commands one after another, so replies apply in order.
  function serial(fn) {
    S.queue = S.queue.then(fn).catch(onError);
    return S.queue;
  }

  function onError(err) {
    if (err && err.status === 404) {
      showLost(err.message);
      return;
    }
    showMessage(String((err && err.message) || err), 'error');
  }

  // showLost says, until the reader acts, that the server no longer holds
  // this page's session, and offers to rebuild it. Nothing is restarted
  // behind the reader's back: the page keeps showing the last frame.
  function showLost(reason) {
    if (S.lost) return;
    S.lost = true;
    const f = S.frame;
    const trained = f && f.epoch > 0 ? ` The training shown (${f.epoch.toLocaleString('en-US')} epochs) is lost.` : '';
    const why = (reason || '').replace(/^this session has ended:\s*/i, '');
    $('lost-text').textContent = `${why ? why[0].toUpperCase() + why.slice(1) + '.' : ''}${trained}`;
    $('lost').hidden = false;
    $('status').textContent = 'session ended';
  }

  async function restore() {
    try {
      await openSession(S.query);
      S.lost = false;
      $('lost').hidden = true;
      showMessage('Restored the set-up from the link; press ▶ to train again.', 'info');
    } catch (err) {
      $('lost-text').textContent = `Restoring failed: ${err.message}. Is the server running?`;
    }
  }

  // storedUpload returns the CSV uploaded in this tab, kept so that a
  // reload or a restore can send it again.
  function storedUpload() {
    try {
      const v = JSON.parse(sessionStorage.getItem(UPLOAD_KEY) || 'null');
      return v && typeof v.text === 'string' ? v : null;
    } catch (e) {
      return null;
    }
  }

  // openSession starts a session for a query string. A link cannot carry
  // an uploaded file, so when it names one and this tab kept it, the file
  // is sent again and the set-up applied to it.
  async function openSession(query) {
    let rep = await post('/api/sessions', query);
    S.id = rep.id;
    S.v = 0; S.cv = 0; S.dv = 0;
    let notes = rep.notes || [];
    const up = storedUpload();
    if (new URLSearchParams(query).get('data') === 'csv' && up) {
      await post(`${sessionPath('upload')}?name=${encodeURIComponent(up.name)}`, up.text, 'text/csv');
      S.hasUpload = true;
      rep = await post(sessionPath('config'), query);
      notes = notes.filter((n) => !n.startsWith('data=csv')).concat(rep.notes || []);
    }
    rep.notes = notes;
    applyReply(rep);
    updateExport();
    return rep;
  }

  function heartbeat() {
    if (!S.id || S.lost) return;
    post(sessionPath('heartbeat')).catch((err) => { if (err.status === 404) showLost(err.message); });
  }

  function showNotes(notes) {
    const box = $('notes'), list = $('notes-list');
    if (!notes || !notes.length) return;
    list.textContent = '';
    for (const n of notes) {
      const li = document.createElement('li');
      li.textContent = n;
      list.appendChild(li);
    }
    box.hidden = false;
  }

  function applyReply(rep) {
    if (!rep || !rep.config) return;
    if (rep.cv < S.cv) return;
    S.cv = rep.cv;
    S.cfg = rep.config;
    S.query = rep.query;
    history.replaceState(null, '', '?' + rep.query);
    syncControls();
    if (rep.notice) showMessage(rep.notice, 'info');
    showNotes(rep.notes);
  }

  function encode(c) {
    const parts = [];
    const add = (k, v) => parts.push(k + '=' + encodeURIComponent(String(v)).replace(/%2C/g, ',').replace(/%3A/g, ':'));
    add('data', c.data); add('noise', c.noise); add('ratio', c.trainRatio); add('points', c.points);
    add('seed', c.seed); add('features', c.features.join(','));
    if (c.init) add('init', c.init);
    if (c.sameSeed) add('sameseed', true);
    if (!c.standardize) add('standardize', false);
    add('layers', c.layers.length ? c.layers.map((l) => `${l.units}:${l.activation}` + (l.dropout > 0 ? `:${l.dropout}` : '')).join(',') : 'none');
    add('optimizer', c.optimizer); add('lr', c.lr); add('batch', c.batch); add('reg', c.reg); add('regrate', c.regRate);
    if (c.preset) add('preset', c.preset);
    if (c.edits && c.edits.length) {
      add('edits', c.edits.map((e) => e.bias ? `${e.layer}b${e.row}~${e.value}` : `${e.layer}w${e.row}.${e.col}~${e.value}`).join(','));
    }
    add('speed', c.speed); add('slice', c.slice); add('showtest', c.showTest); add('discretize', c.discretize);
    return parts.join('&');
  }

  // change edits the set-up and sends it; the reply is the server's
  // normalised version, which the controls then show.
  function change(edit) {
    const prev = S.cfg;
    const c = JSON.parse(JSON.stringify(S.cfg));
    edit(c);
    S.cfg = c;
    syncControls();
    return serial(async () => {
      try {
        applyReply(await post(sessionPath('config'), encode(c)));
      } catch (err) {
        // The server kept the old set-up; show it again.
        S.cfg = prev;
        syncControls();
        throw err;
      }
    });
  }
  const command = (action) => serial(async () => applyReply(await post(sessionPath(action))));

  // ---- the frame loop -----------------------------------------------------

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // loop fetches frames at up to 30 a second and hands each to the next
  // animation frame, so fetching the next one overlaps drawing this one. A
  // hidden tab stops asking; the server then stops training it soon after.
  async function loop() {
    for (;;) {
      if (document.hidden || S.lost) {
        await sleep(500);
        continue;
      }
      const t0 = performance.now();
      let f;
      try {
        f = await api(`${sessionPath('frame')}?v=${S.v}&cv=${S.cv}&dv=${S.dv}`);
        S.fetchMs = performance.now() - t0;
      } catch (err) {
        if (err.status === 404) showLost(err.message);
        else $('status').textContent = 'reconnecting…';
        await sleep(1000);
        continue;
      }
      $('status').textContent = 'connected';
      S.v = f.v;
      if (f.data) S.dv = f.dv;
      if (S.pending) mergeFrames(S.pending, f);
      S.pending = f;
      if (!S.painting) {
        S.painting = true;
        requestAnimationFrame(() => {
          S.painting = false;
          const p = S.pending;
          S.pending = null;
          if (p) takeFrame(p);
        });
      }
      const dt = performance.now() - t0;
      if (dt < FRAME_MS) await sleep(FRAME_MS - dt);
    }
  }

  // mergeFrames keeps the data and config of a frame that was never drawn
  // in the one that replaces it.
  function mergeFrames(old, f) {
    if (old.data && !f.data) f.data = old.data;
    if (old.config && !f.config) { f.config = old.config; f.query = old.query; }
  }

  function takeFrame(f) {
    if (f.data) {
      S.data = f.data;
      S.bytes.clear();
    }
    if (f.config && f.cv >= S.cv) {
      S.cv = f.cv;
      S.cfg = f.config;
      S.query = f.query;
      history.replaceState(null, '', '?' + f.query);
      syncControls();
    }
    S.frame = f;
    if (f.message && f.message !== S.shownMessage) showMessage(f.message, 'error');
    S.shownMessage = f.message;
    draw();
    const now = performance.now();
    S.draws.push(now);
    while (S.draws.length && now - S.draws[0] > 2000) S.draws.shift();
  }

  function fps() {
    const d = S.draws;
    if (d.length < 2) return 0;
    return (d.length - 1) * 1000 / (d[d.length - 1] - d[0]);
  }

  // ---- controls -----------------------------------------------------------

  function option(sel, value, label) {
    const o = document.createElement('option');
    o.value = String(value);
    o.textContent = label;
    sel.appendChild(o);
  }

  function fillSelect(sel, values, label, current) {
    sel.textContent = '';
    const vals = values.slice();
    if (current !== undefined && !vals.some((v) => String(v) === String(current))) vals.push(current);
    for (const v of vals) option(sel, v, label(v));
    if (current !== undefined) sel.value = String(current);
  }

  function dims() {
    if (S.data && S.data.set.name === S.cfg.data) return S.data.set.dims;
    const ds = S.meta.dataSets.find((d) => d.name === S.cfg.data);
    return ds ? ds.dims : 2;
  }
  const currentSet = () => (S.data && S.data.set) || S.meta.dataSets.find((d) => d.name === S.cfg.data);

  function buildStaticControls() {
    const m = S.meta;
    $('upload-limit').textContent = `${Math.round(m.maxUploadBytes / 1048576 * 10) / 10} MB and ${m.maxUploadRows.toLocaleString('en-US')} rows`;
    const box = $('datasets');
    let group = '';
    for (const d of m.dataSets) {
      if (d.group !== group) {
        group = d.group;
        const g = document.createElement('div');
        g.className = 'group-label';
        g.dataset.group = group;
        g.textContent = GROUP_LABELS[group] || group;
        box.appendChild(g);
      }
      const b = document.createElement('button');
      b.className = 'ds';
      b.dataset.dataset = d.name;
      b.dataset.kind = kindOf(d);
      b.title = `${d.label}: ${d.hint}`;
      b.setAttribute('aria-label', d.label);
      const c = document.createElement('canvas');
      c.width = 44; c.height = 44;
      b.appendChild(c);
      drawThumb(c, d.name);
      b.addEventListener('click', () => {
        if (d.name === 'csv' && !S.hasUpload) {
          $('upload').click();
          return;
        }
        change((cfg) => { cfg.data = d.name; cfg.preset = cfg.preset && presetFits(cfg.preset, d.name) ? cfg.preset : ''; });
      });
      box.appendChild(b);
    }
    fillSelect($('optimizer'), m.optimizers, (v) => OPT_LABELS[v] || v);
    fillSelect($('reg'), m.regularizations, (v) => REG_LABELS[v] || v);
    $('lr').addEventListener('change', (e) => change((c) => { c.lr = Number(e.target.value); }));
    $('optimizer').addEventListener('change', (e) => change((c) => { c.optimizer = e.target.value; }));
    $('reg').addEventListener('change', (e) => change((c) => { c.reg = e.target.value; }));
    $('regrate').addEventListener('change', (e) => change((c) => { c.regRate = Number(e.target.value); }));
    $('speed').addEventListener('change', (e) => change((c) => { c.speed = Number(e.target.value); }));
    $('preset').addEventListener('change', (e) => {
      const p = m.presets.find((x) => x.name === e.target.value);
      if (!p) {
        change((c) => { c.preset = ''; c.edits = []; });
        return;
      }
      serial(async () => applyReply(await post(sessionPath('config'), p.query)));
    });
    const slider = (id, key, fmt) => {
      const el = $(id), out = $(id + '-value');
      el.addEventListener('input', () => { out.textContent = fmt(Number(el.value)); });
      el.addEventListener('change', () => change((c) => { c[key] = Number(el.value); }));
    };
    slider('ratio', 'trainRatio', (v) => `${v}%`);
    slider('noise', 'noise', (v) => String(v));
    slider('points', 'points', (v) => String(v));
    slider('batch', 'batch', (v) => String(v));
    $('points').min = String(Math.max(50, m.minPoints));
    $('points').max = String(m.maxPoints);
    $('seed').addEventListener('change', (e) => {
      const v = Math.floor(Number(e.target.value));
      if (Number.isFinite(v) && v >= 0) change((c) => { c.seed = v; });
    });
    $('regenerate').addEventListener('click', () => command('regenerate'));
    $('sameseed').addEventListener('change', (e) => change((c) => { c.sameSeed = e.target.checked; }));
    $('standardize').addEventListener('change', (e) => change((c) => { c.standardize = e.target.checked; }));
    $('problem').addEventListener('change', (e) => {
      const want = e.target.value, set = currentSet();
      if (set && kindOf(set) === want) return;
      const first = m.dataSets.find((d) => d.name !== 'csv' && kindOf(d) === want);
      change((c) => { c.data = first.name; c.preset = ''; });
    });
    $('lost-restore').addEventListener('click', restore);
    $('notes-close').addEventListener('click', () => { $('notes').hidden = true; });
    let sliceTimer = 0;
    $('slice').addEventListener('input', (e) => {
      $('slice-value').textContent = Number(e.target.value).toFixed(2);
      clearTimeout(sliceTimer);
      sliceTimer = setTimeout(() => change((c) => { c.slice = Number(e.target.value); }), 60);
    });
    $('showtest').addEventListener('change', (e) => change((c) => { c.showTest = e.target.checked; }));
    $('discretize').addEventListener('change', (e) => change((c) => { c.discretize = e.target.checked; }));
    $('play').addEventListener('click', () => command(S.frame && S.frame.playing ? 'pause' : 'play'));
    $('step').addEventListener('click', () => command('step'));
    $('reset').addEventListener('click', () => command('reset'));
    $('perturb').addEventListener('click', () => command('perturb'));
    $('layer-add').addEventListener('click', () => change((c) => {
      if (c.layers.length >= m.maxLayers) return;
      const last = c.layers[c.layers.length - 1];
      c.layers.push({ units: 2, activation: last ? last.activation : 'tanh', dropout: 0 });
    }));
    $('layer-remove').addEventListener('click', () => change((c) => { c.layers.pop(); }));
    $('upload').addEventListener('change', onUpload);
    $('copy-link').addEventListener('click', copyLink);
    $('message-close').addEventListener('click', () => { $('message').hidden = true; });
    $('export').addEventListener('toggle', updateExport);
  }

  const kindOf = (d) => (d.regression ? 'regression' : 'classification');
  const GROUP_KINDS = { classify: 'classification', regress: 'regression', chapter: 'regression' };

  function presetFits(name, data) {
    const p = S.meta.presets.find((x) => x.name === name);
    const ds = S.meta.dataSets.find((d) => d.name === data);
    const pd = p && S.meta.dataSets.find((d) => d.name === new URLSearchParams(p.query).get('data'));
    return !!(p && ds && pd && ds.dims === pd.dims);
  }

  function syncControls() {
    const c = S.cfg, m = S.meta;
    fillSelect($('lr'), LRS, String, c.lr);
    $('optimizer').value = c.optimizer;
    $('reg').value = c.reg;
    fillSelect($('regrate'), REG_RATES, String, c.regRate);
    fillSelect($('speed'), SPEEDS, (v) => (v ? `${v} epochs/s` : 'maximum'), c.speed);
    $('regrate').disabled = c.reg === 'none';
    const ps = $('preset');
    ps.textContent = '';
    option(ps, '', '— none —');
    for (const p of m.presets) option(ps, p.name, p.label);
    ps.value = c.preset || '';
    const note = $('preset-note');
    const p = m.presets.find((x) => x.name === c.preset);
    note.hidden = !p;
    if (p) {
      const n = (c.edits || []).length;
      note.textContent = `${p.label}: ${p.note}. ` + (n
        ? `You changed ${n} of its weights or biases (reset keeps your changes; choose the network again under Chapter networks to undo them).`
        : "These are the chapter's exact weights — press ▶ to see they need no training, perturb them, or pick other data and train.");
    }
    for (const [id, key, fmt] of [['ratio', 'trainRatio', (v) => `${v}%`], ['noise', 'noise', String], ['points', 'points', String], ['batch', 'batch', String]]) {
      $(id).value = String(c[key]);
      $(id + '-value').textContent = fmt(c[key]);
    }
    $('seed').value = String(c.seed);
    $('sameseed').checked = !!c.sameSeed;
    $('standardize').checked = c.standardize !== false;
    $('showtest').checked = c.showTest;
    $('discretize').checked = c.discretize;
    for (const b of document.querySelectorAll('.ds')) {
      b.classList.toggle('selected', b.dataset.dataset === c.data);
      if (b.dataset.dataset === 'csv') b.title = S.hasUpload ? 'Your CSV' : 'Upload a CSV first (the button below)';
    }
    const n = c.layers.length;
    $('layers-count').textContent = `${n} hidden layer${n === 1 ? '' : 's'}`;
    $('layer-add').disabled = n >= m.maxLayers;
    $('layer-remove').disabled = n === 0;
    layoutNetwork();
    buildLayerControls();
    updatePanels();
    updateExport();
    draw();
  }

  function buildLayerControls() {
    const box = $('layer-controls'), L = S.layout, m = S.meta;
    box.textContent = '';
    if (!L) return;
    S.cfg.layers.forEach((l, k) => {
      const x = L.colX[k + 1];
      const w = Math.max(46, Math.min(100, L.spacing - 6));
      const d = document.createElement('div');
      const narrow = w < 80;
      d.className = narrow ? 'layer-ctl narrow' : 'layer-ctl';
      d.style.left = `${x - w / 2}px`;
      d.style.width = `${w}px`;
      const units = document.createElement('div');
      units.className = 'units';
      const minus = document.createElement('button');
      minus.className = 'mini'; minus.textContent = '−'; minus.title = 'One neuron fewer';
      minus.setAttribute('aria-label', `Remove a neuron from layer ${k + 1}`);
      minus.disabled = l.units <= 1;
      minus.addEventListener('click', () => change((c) => { c.layers[k].units = Math.max(1, c.layers[k].units - 1); }));
      const input = document.createElement('input');
      input.type = 'number'; input.min = '1'; input.max = String(m.maxNeurons); input.value = String(l.units);
      input.title = `Neurons in layer ${k + 1} (1 to ${m.maxNeurons})`;
      input.setAttribute('aria-label', `Neurons in layer ${k + 1}`);
      input.addEventListener('change', () => {
        const v = Math.max(1, Math.min(m.maxNeurons, Math.floor(Number(input.value)) || 1));
        change((c) => { c.layers[k].units = v; });
      });
      const plus = document.createElement('button');
      plus.className = 'mini'; plus.textContent = '+'; plus.title = 'One neuron more';
      plus.setAttribute('aria-label', `Add a neuron to layer ${k + 1}`);
      plus.disabled = l.units >= m.maxNeurons;
      plus.addEventListener('click', () => change((c) => { c.layers[k].units = Math.min(m.maxNeurons, c.layers[k].units + 1); }));
      units.append(minus, input, plus);
      const caption = document.createElement('span');
      caption.className = 'caption-units';
      caption.textContent = l.units === 1 ? 'neuron' : 'neurons';
      const act = document.createElement('select');
      act.title = `Activation of layer ${k + 1}`;
      act.setAttribute('aria-label', `Activation of layer ${k + 1}`);
      for (const a of m.activations) option(act, a, a);
      act.value = l.activation;
      act.addEventListener('change', () => change((c) => { c.layers[k].activation = act.value; }));
      const drop = document.createElement('select');
      drop.title = `Dropout after layer ${k + 1}`;
      drop.setAttribute('aria-label', `Dropout after layer ${k + 1}`);
      fillSelect(drop, DROPOUTS, (v) => (narrow ? `p ${v}` : v ? `dropout ${v}` : 'no dropout'), l.dropout);
      drop.addEventListener('change', () => change((c) => { c.layers[k].dropout = Number(drop.value); }));
      if (narrow) d.append(units, act, drop);
      else d.append(units, caption, act, drop);
      box.appendChild(d);
    });
  }

  function updatePanels() {
    const set = currentSet();
    if (!set) return;
    const oneD = set.dims === 1;
    $('heatmap').hidden = oneD;
    $('colour-legend').hidden = oneD;
    $('discretize').parentElement.hidden = oneD || set.regression;
    $('curve-panel').hidden = !(oneD || set.regression);
    const cnv = $('curve'), h = oneD ? 320 : 240;
    if (Number(cnv.dataset.h || cnv.height) !== h) resizeCanvas(cnv, 320, h);
    $('slice-box').hidden = oneD;
    $('curve-title').textContent = oneD ? 'The function: data, target and the network\u2019s fit' : 'A slice through the surface, along x\u2081';
    const sl = $('slice');
    if (!oneD) {
      sl.min = String(set.domain[2]); sl.max = String(set.domain[3]);
      sl.step = String((set.domain[3] - set.domain[2]) / 100);
      sl.value = String(S.cfg.slice);
      $('slice-value').textContent = Number(S.cfg.slice).toFixed(2);
    }
    for (const b of document.querySelectorAll('.ds')) b.classList.toggle('selected', b.dataset.dataset === S.cfg.data);
    $('heatmap-caption').hidden = oneD;
    // The problem type shows the data of its kind, as TensorFlow
    // Playground's does; an upload is listed under either.
    const kind = kindOf(set);
    $('problem').value = kind;
    for (const b of document.querySelectorAll('.ds')) b.hidden = b.dataset.dataset !== 'csv' && b.dataset.kind !== kind;
    for (const g of document.querySelectorAll('.group-label')) g.hidden = !!GROUP_KINDS[g.dataset.group] && GROUP_KINDS[g.dataset.group] !== kind;
    const sc = $('scale-box');
    sc.hidden = S.cfg.data !== 'csv';
    if (!sc.hidden) {
      const scaling = (S.data && S.data.set.name === 'csv' && S.data.set.scaling) || [];
      $('scale-note').textContent = S.cfg.standardize === false
        ? 'Off: the network sees the values as uploaded. Columns far from −1…1 train slowly or overflow.'
        : scaling.length
          ? 'Mean 0 and standard deviation 1, as the network sees them: ' + scaling.map((c) => `${c.name} ← (${c.name} − ${fmtNum(c.mean)}) / ${fmtNum(c.std)}`).join('; ') + '. The axes show these units.'
          : 'Mean 0 and standard deviation 1, as the network sees them.';
    }
  }

  const fmtNum = (v) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(+v.toPrecision(4)));

  function updateExport() {
    if (!S.id) return;
    $('export-model').href = sessionPath('model.safetensors');
    $('export-spec').href = sessionPath('spec.yaml');
    $('export-data').href = sessionPath('data.csv');
    $('export-cols').textContent = S.cfg.features.join(', ');
    $('export-cmd').textContent = `bigfunc predict --model bigfunc-${S.cfg.data}.safetensors --input points.csv`;
  }

  async function onUpload(e) {
    const file = e.target.files && e.target.files[0];
    e.target.value = '';
    if (!file) return;
    const limit = S.meta.maxUploadBytes;
    if (file.size > limit) {
      showMessage(`Upload refused: ${file.name} is ${(file.size / 1048576).toFixed(1)} MB; the playground takes CSV files up to ${(limit / 1048576).toFixed(0)} MB and ${S.meta.maxUploadRows} rows.`, 'error');
      return;
    }
    serial(async () => {
      let text;
      try {
        text = await file.text();
      } catch (err) {
        showMessage(`Upload failed: cannot read ${file.name}: ${err.message}.`, 'error');
        return;
      }
      try {
        const rep = await post(`${sessionPath('upload')}?name=${encodeURIComponent(file.name)}`, text, 'text/csv');
        S.hasUpload = true;
        // Kept in this tab, so that a reload or a restore can send it again.
        try {
          sessionStorage.setItem(UPLOAD_KEY, JSON.stringify({ name: file.name, text }));
        } catch (e) {
          rep.notice = (rep.notice ? rep.notice + ' ' : '') + 'The file is too large to keep in this tab: after a reload, upload it again.';
          sessionStorage.removeItem(UPLOAD_KEY);
        }
        applyReply(rep);
      } catch (err) {
        if (err.status === 404) throw err;
        showMessage(`Upload failed: ${err.message}.`, 'error');
      }
    });
  }

  async function copyLink() {
    try {
      await navigator.clipboard.writeText(location.href);
      showMessage('Link copied: it opens this set-up (data, network, settings and starting weights).', 'info');
    } catch (e) {
      window.prompt('Copy this link:', location.href);
    }
  }

  let messageTimer = 0;
  function showMessage(text, kind) {
    const box = $('message');
    $('message-text').textContent = text;
    box.classList.toggle('info', kind === 'info');
    box.hidden = false;
    clearTimeout(messageTimer);
    if (kind === 'info') messageTimer = setTimeout(() => { box.hidden = true; }, 4000);
  }

  // ---- drawing helpers ----------------------------------------------------

  function bytesOf(b64) {
    let b = S.bytes.get(b64);
    if (!b) {
      const s = atob(b64);
      b = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
      if (S.bytes.size > 4000) S.bytes.clear();
      S.bytes.set(b64, b);
    }
    return b;
  }

  const offscreen = new Map();
  function mapImage(bytes, side, discrete) {
    let c = offscreen.get(side);
    if (!c) {
      c = document.createElement('canvas');
      c.width = side; c.height = side;
      c.img = c.getContext('2d').createImageData(side, side);
      offscreen.set(side, c);
    }
    const lut = discrete ? LUT_DISCRETE : LUT, d = c.img.data;
    for (let i = 0; i < side * side; i++) {
      const q = bytes[i] * 3;
      d[i * 4] = lut[q]; d[i * 4 + 1] = lut[q + 1]; d[i * 4 + 2] = lut[q + 2]; d[i * 4 + 3] = 255;
    }
    c.getContext('2d').putImageData(c.img, 0, 0);
    return c;
  }

  function sparkline(ctx, bytes, x, y, size) {
    ctx.fillStyle = '#fff';
    ctx.fillRect(x, y, size, size);
    ctx.strokeStyle = '#ccc';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(x, y + size / 2); ctx.lineTo(x + size, y + size / 2);
    ctx.stroke();
    ctx.strokeStyle = '#222';
    ctx.lineWidth = size > 20 ? 1.5 : 1;
    ctx.beginPath();
    const n = bytes.length, h = size / 2 - 2;
    for (let i = 0; i < n; i++) {
      const px = x + 1 + (size - 2) * i / (n - 1), py = y + size / 2 - (bytes[i] / 127.5 - 1) * h;
      if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    }
    ctx.stroke();
  }

  function setupCanvas(c) {
    // Draw in device pixels so lines stay sharp on high-density screens.
    const ratio = window.devicePixelRatio || 1;
    const w = Number(c.dataset.w || c.width), h = Number(c.dataset.h || c.height);
    if (!c.dataset.w) { c.dataset.w = String(w); c.dataset.h = String(h); }
    if (c.width !== Math.round(w * ratio)) {
      c.width = Math.round(w * ratio); c.height = Math.round(h * ratio);
      c.style.width = `${w}px`; c.style.height = `${h}px`;
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx, w, h };
  }

  function resizeCanvas(c, w, h) {
    c.dataset.w = String(w); c.dataset.h = String(h);
    c.width = 0;
  }

  // ---- the network --------------------------------------------------------

  function layoutNetwork() {
    if (!S.cfg || !S.meta) return;
    const feats = S.meta.features[String(dims())];
    const cols = [feats.length, ...S.cfg.layers.map((l) => l.units), 1];
    const maxN = Math.max(...cols);
    const avail = 430;
    const size = Math.max(10, Math.min(36, Math.floor(avail / (maxN * 1.3))));
    const pitch = Math.round(size * 1.3);
    const pad = 14;
    const height = Math.max(avail + 2 * pad, maxN * pitch + 2 * pad);
    const width = Math.max(340, $('net-scroll').clientWidth - 2);
    const left = 64 + size / 2, right = width - 24 - size / 2;
    const hidden = S.cfg.layers.length;
    const colX = [left];
    const spacing = (right - left) / (hidden + 1);
    for (let k = 1; k <= hidden; k++) colX.push(left + spacing * k);
    colX.push(right);
    const nodes = cols.map((n, c) => {
      const top = pad + (c === cols.length - 1 ? Math.max(0, (Math.min(maxN, 4) - 1) * pitch / 2) : 0);
      return Array.from({ length: n }, (_, i) => ({ x: colX[c] - size / 2, y: top + i * pitch }));
    });
    S.layout = { feats, cols, size, pitch, width, height, colX, nodes, spacing };
    resizeCanvas($('net'), width, height);
    $('layer-controls').style.width = `${width}px`;
  }

  function activeInputs() {
    const L = S.layout;
    return S.cfg.features.map((name) => L.feats.findIndex((f) => f.name === name));
  }

  function drawNetwork() {
    const L = S.layout, f = S.frame, data = S.data;
    if (!L || !f || !data || !matches(f)) return;
    const { ctx } = setupCanvas($('net'));
    ctx.clearRect(0, 0, L.width, L.height);
    const size = L.size, half = size / 2;
    const inputs = activeInputs();
    const edges = [];
    // Edges, batched by colour and width: one path per bucket keeps large
    // networks (tens of thousands of lines) fast to draw.
    const buckets = new Map();
    const scale = Math.min(1, size / 30);
    const dense = f.layers.reduce((n, l) => n + l.in * l.out / l.pieces, 0) > 3000;
    // With tens of thousands of connections the picture is a solid mass
    // and slow to rasterise; draw each layer's strongest ones only.
    const total = f.layers.reduce((n, l) => n + l.in * l.out / l.pieces, 0);
    const budget = 6000;
    let shown = 0;
    f.layers.forEach((layer, k) => {
      const src = k === 0 ? inputs.map((i) => L.nodes[0][i]) : L.nodes[k];
      const dst = L.nodes[k + 1];
      const units = layer.out / layer.pieces;
      const weightOf = (u, i) => {
        let w = layer.w[u * layer.pieces * layer.in + i];
        for (let p = 1; p < layer.pieces; p++) {
          const wp = layer.w[(u * layer.pieces + p) * layer.in + i];
          if (Math.abs(wp) > Math.abs(w)) w = wp;
        }
        return w === null ? 0 : w;
      };
      let cut = 0;
      if (total > budget) {
        const mags = [];
        for (let u = 0; u < units; u++) for (let i = 0; i < layer.in; i++) mags.push(Math.abs(weightOf(u, i)));
        mags.sort((a, b) => b - a);
        const keep = Math.max(1, Math.floor(budget * mags.length / total));
        cut = keep < mags.length ? mags[keep] : 0;
      }
      for (let u = 0; u < units && u < dst.length; u++) {
        for (let i = 0; i < layer.in && i < src.length; i++) {
          const w = weightOf(u, i);
          if (cut > 0 && Math.abs(w) <= cut) continue;
          shown++;
          const x1 = src[i].x + size, y1 = src[i].y + half, x2 = dst[u].x, y2 = dst[u].y + half;
          edges.push({ x1, y1, x2, y2, k, u, i });
          const width = Math.max(0.3, Math.round((0.4 + 7.6 * Math.min(Math.abs(w), 5) / 5) * scale * 2) / 2);
          const key = (w >= 0 ? 'p' : 'n') + width;
          let b = buckets.get(key);
          if (!b) { b = { w: width, pos: w >= 0, path: new Path2D() }; buckets.set(key, b); }
          b.path.moveTo(x1, y1);
          // Curves read better; straight lines are much cheaper to
          // rasterise when there are thousands.
          if (dense) b.path.lineTo(x2, y2);
          else b.path.bezierCurveTo((x1 + x2) / 2, y1, (x1 + x2) / 2, y2, x2, y2);
        }
      }
    });
    $('edges-note').textContent = shown < total ? ` Only the ${shown.toLocaleString('en-US')} strongest of ${total.toLocaleString('en-US')} connections are drawn.` : '';
    // Many edges overlap: fainter lines keep the strong ones visible.
    ctx.globalAlpha = edges.length > 3000 ? 0.3 : edges.length > 1000 ? 0.45 : 0.8;
    for (const b of buckets.values()) {
      ctx.strokeStyle = b.pos ? 'rgb(8,119,189)' : 'rgb(245,147,34)';
      ctx.lineWidth = b.w;
      ctx.stroke(b.path);
    }
    ctx.globalAlpha = 1;
    const hv = S.hover;
    if (hv && hv.type === 'edge') {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(hv.x1, hv.y1);
      ctx.bezierCurveTo((hv.x1 + hv.x2) / 2, hv.y1, (hv.x1 + hv.x2) / 2, hv.y2, hv.x2, hv.y2);
      ctx.stroke();
    }
    S.edges = edges;

    const oneD = data.set.dims === 1;
    const drawMap = (b64, x, y, alpha, grid) => {
      ctx.globalAlpha = alpha;
      const bytes = bytesOf(b64);
      if (oneD) sparkline(ctx, bytes, x, y, size);
      else {
        ctx.imageSmoothingEnabled = true;
        ctx.drawImage(mapImage(bytes, grid, false), x, y, size, size);
      }
      ctx.globalAlpha = 1;
    };
    // Inputs.
    ctx.font = `${Math.max(10, Math.min(13, size * 0.45))}px system-ui, sans-serif`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    L.feats.forEach((feat, i) => {
      const n = L.nodes[0][i], on = S.cfg.features.includes(feat.name);
      drawMap(data.inputMaps[i], n.x, n.y, on ? 1 : 0.22, data.grid);
      ctx.strokeStyle = on ? '#333' : '#bbb';
      ctx.lineWidth = 1;
      ctx.strokeRect(n.x + 0.5, n.y + 0.5, size - 1, size - 1);
      ctx.fillStyle = on ? '#222' : '#aaa';
      ctx.fillText(feat.label, n.x - 6, n.y + half);
    });
    // Hidden units.
    f.layers.forEach((layer, k) => {
      const nodes = L.nodes[k + 1];
      const maps = k < f.nodes.length ? f.nodes[k] : null;
      nodes.forEach((n, u) => {
        if (maps && maps[u]) drawMap(maps[u], n.x, n.y, 1, f.grid);
        else if (!maps) drawOutputNode(ctx, n, size);
        ctx.strokeStyle = '#333';
        ctx.lineWidth = 1;
        ctx.strokeRect(n.x + 0.5, n.y + 0.5, size - 1, size - 1);
        // The bias, as a small square at the corner, coloured by sign.
        const b = layer.b[u * layer.pieces] || 0;
        const bs = Math.max(3, Math.round(size / 6));
        ctx.fillStyle = colourOf(Math.max(-1, Math.min(1, b)));
        ctx.fillRect(n.x - bs + 1, n.y + size - bs + 1, bs, bs);
        ctx.strokeStyle = '#666';
        ctx.strokeRect(n.x - bs + 1.5, n.y + size - bs + 1.5, bs - 1, bs - 1);
      });
    });
    ctx.fillStyle = '#555';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.font = '11px system-ui, sans-serif';
    const out = L.nodes[L.nodes.length - 1][0];
    ctx.fillText('output', out.x + half, out.y - 2);
    if (hv && hv.type === 'node') {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.strokeRect(hv.x - 1, hv.y - 1, size + 2, size + 2);
    }
  }

  function drawOutputNode(ctx, n, size) {
    const f = S.frame, data = S.data;
    if (data.set.dims === 2 && f.output) {
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(mapImage(bytesOf(f.output), f.outGrid, S.cfg.discretize && !data.set.regression), n.x, n.y, size, size);
    } else if (f.curve) {
      const ys = f.curve.fit, m = data.yScale || 1;
      const bytes = new Uint8Array(ys.length);
      ys.forEach((v, i) => { bytes[i] = Math.max(0, Math.min(255, Math.round(((v || 0) / m + 1) * 127.5))); });
      sparkline(ctx, bytes, n.x, n.y, size);
    }
  }

  function hitTest(x, y) {
    const L = S.layout, f = S.frame;
    if (!L || !f) return null;
    const size = L.size;
    for (let c = 0; c < L.nodes.length; c++) {
      for (let i = 0; i < L.nodes[c].length; i++) {
        const n = L.nodes[c][i];
        if (x >= n.x - 4 && x <= n.x + size && y >= n.y && y <= n.y + size + 4) return { type: 'node', col: c, i, x: n.x, y: n.y };
      }
    }
    let best = null, bestD = 5;
    for (const e of S.edges || []) {
      if (x < Math.min(e.x1, e.x2) - 4 || x > Math.max(e.x1, e.x2) + 4) continue;
      // Distance to the curve, sampled.
      for (let s = 0; s <= 12; s++) {
        const t = s / 12, mt = 1 - t;
        const bx = mt * mt * mt * e.x1 + 3 * mt * mt * t * (e.x1 + e.x2) / 2 + 3 * mt * t * t * (e.x1 + e.x2) / 2 + t * t * t * e.x2;
        const by = mt * mt * mt * e.y1 + 3 * mt * mt * t * e.y1 + 3 * mt * t * t * e.y2 + t * t * t * e.y2;
        const d = Math.hypot(bx - x, by - y);
        if (d < bestD) { bestD = d; best = e; }
      }
    }
    return best ? { type: 'edge', ...best } : null;
  }

  const fmt = (v, digits) => (v === null || v === undefined ? '–' : Number(v).toFixed(digits === undefined ? 3 : digits));
  const unitName = (k, u) => (k === S.frame.layers.length - 1 ? 'the output' : `layer ${k + 1}, neuron ${u + 1}`);

  function describe(hit) {
    const f = S.frame, L = S.layout;
    if (hit.type === 'edge') {
      const layer = f.layers[hit.k];
      const ws = [];
      for (let p = 0; p < layer.pieces; p++) ws.push(layer.w[(hit.u * layer.pieces + p) * layer.in + hit.i]);
      const from = hit.k === 0 ? L.feats.find((x) => x.name === S.cfg.features[hit.i]).label : `layer ${hit.k}, neuron ${hit.i + 1}`;
      return { text: `Weight ${ws.map((w) => fmt(w)).join(' | ')} from ${from} to ${unitName(hit.k, hit.u)}. Click to edit.`, values: ws, layer: hit.k, row: hit.u * layer.pieces, col: hit.i, bias: false, pieces: layer.pieces };
    }
    if (hit.col === 0) {
      const feat = L.feats[hit.i], on = S.cfg.features.includes(feat.name);
      return { text: `Feature ${feat.label} is ${on ? 'on' : 'off'}. Click to turn it ${on ? 'off' : 'on'}.`, toggle: feat.name };
    }
    const k = hit.col - 1, layer = f.layers[k], u = hit.i;
    const bs = [];
    for (let p = 0; p < layer.pieces; p++) bs.push(layer.b[u * layer.pieces + p]);
    let text = `${unitName(k, u)[0].toUpperCase()}${unitName(k, u).slice(1)}: bias ${bs.map((b) => fmt(b)).join(' | ')}`;
    if (k < S.cfg.layers.length) {
      text += `, activation ${S.cfg.layers[k].activation}`;
      const sc = f.scales[k] && f.scales[k][u];
      if (sc > 1) text += ` (its picture is scaled: the full colour is ±${fmt(sc, 2)})`;
    }
    if (k === 0 && layer.in === 1 && layer.pieces === 1 && S.cfg.features[0] === 'x') {
      const w = layer.w[u], b = layer.b[u];
      if (w) text += `. Its line w·x + b crosses 0 at x = −b/w = ${fmt(-b / w)}`;
    }
    return { text: text + '. Click to edit the bias.', values: bs, layer: k, row: u * layer.pieces, col: 0, bias: true, pieces: layer.pieces };
  }

  function setupNetworkEvents() {
    const c = $('net'), tip = $('tooltip');
    const pos = (e) => { const r = c.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    c.addEventListener('mousemove', (e) => {
      const [x, y] = pos(e);
      const hit = hitTest(x, y);
      S.hover = hit;
      c.style.cursor = hit ? 'pointer' : 'default';
      if (!hit) { tip.hidden = true; drawNetwork(); drawHeatmap(); return; }
      // The weight editor, when open, keeps its place: no tooltip over it.
      if ($('editor').hidden) {
        tip.textContent = describe(hit).text;
        tip.hidden = false;
        placeTip(tip, e.clientX, e.clientY);
      } else tip.hidden = true;
      drawNetwork();
      drawHeatmap();
    });
    c.addEventListener('mouseleave', () => { S.hover = null; tip.hidden = true; drawNetwork(); drawHeatmap(); });
    c.addEventListener('click', (e) => {
      const [x, y] = pos(e);
      const hit = hitTest(x, y);
      if (!hit) return;
      const d = describe(hit);
      if (d.toggle) {
        change((cfg) => {
          const on = cfg.features.includes(d.toggle);
          if (on && cfg.features.length === 1) return;
          const next = on ? cfg.features.filter((n) => n !== d.toggle) : cfg.features.concat([d.toggle]);
          cfg.features = S.layout.feats.map((ft) => ft.name).filter((n) => next.includes(n));
        });
        return;
      }
      openEditor(e.clientX, e.clientY, d);
    });
    const form = $('editor');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const d = S.editing;
      form.hidden = true;
      if (!d) return;
      const vals = $('editor-input').value.split(/[,|;\s]+/).filter((s) => s !== '').map(Number);
      if (!vals.length || vals.some((v) => !Number.isFinite(v))) {
        showMessage(`"${$('editor-input').value}" is not a number.`, 'error');
        return;
      }
      serial(async () => {
        for (let p = 0; p < Math.min(vals.length, d.pieces); p++) {
          applyReply(await post(sessionPath('param'), JSON.stringify({ layer: d.layer, bias: d.bias, row: d.row + p, col: d.col, value: vals[p] }), 'application/json'));
        }
      });
    });
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') form.hidden = true; });
    document.addEventListener('mousedown', (e) => { if (!form.hidden && !form.contains(e.target)) form.hidden = true; });
  }

  // placeTip puts the tooltip above the pointer, where the weight editor,
  // which opens below it, never is.
  function placeTip(tip, x, y) {
    const r = tip.getBoundingClientRect();
    tip.style.left = `${Math.max(4, Math.min(window.innerWidth - r.width - 8, x + 14))}px`;
    tip.style.top = `${Math.max(4, y - r.height - 14)}px`;
  }

  function openEditor(x, y, d) {
    const form = $('editor');
    $('tooltip').hidden = true;
    S.editing = d;
    $('editor-label').textContent = d.bias ? 'bias' : 'weight';
    $('editor-input').value = d.values.map((v) => (v === null ? '0' : String(Math.round(v * 1e4) / 1e4))).join(', ');
    form.hidden = false;
    form.style.left = `${Math.min(window.innerWidth - 240, x + 8)}px`;
    form.style.top = `${y + 8}px`;
    setTimeout(() => { $('editor-input').focus(); $('editor-input').select(); }, 0);
  }

  // ---- output panels ------------------------------------------------------

  const HM = { left: 34, top: 6, size: 280 };

  function pointsOf(flat, d) {
    const out = [];
    for (let i = 0; i + d < flat.length; i += d + 1) out.push(flat.slice(i, i + d + 1));
    return out;
  }

  // preview returns the map of the neuron or input under the pointer, for
  // the output panel, or null.
  function preview() {
    const hv = S.hover, f = S.frame, data = S.data, L = S.layout;
    if (!hv || hv.type !== 'node' || !f || !data || !L || data.set.dims !== 2) return null;
    if (hv.col === 0) {
      const feat = L.feats[hv.i];
      return feat && data.inputMaps[hv.i] ? { map: data.inputMaps[hv.i], grid: data.grid, label: `Input ${feat.label}` } : null;
    }
    const k = hv.col - 1;
    if (k >= f.nodes.length || !f.nodes[k][hv.i]) return null;
    return { map: f.nodes[k][hv.i], grid: f.grid, label: `Layer ${k + 1}, neuron ${hv.i + 1}` };
  }

  function drawHeatmap() {
    const f = S.frame, data = S.data;
    if (!f || !data || data.set.dims !== 2 || !f.output) return;
    const { ctx, w, h } = setupCanvas($('heatmap'));
    ctx.clearRect(0, 0, w, h);
    const set = data.set, dm = set.domain;
    const discrete = S.cfg.discretize && !set.regression;
    // Hovering over a neuron or an input shows its picture here, large.
    const pv = preview();
    const cap = $('heatmap-caption');
    cap.textContent = pv ? `${pv.label} (preview while hovering)` : (discrete ? "The network's output: its class at each point" : "The network's output");
    cap.classList.toggle('preview', !!pv);
    ctx.fillStyle = '#fff';
    ctx.fillRect(HM.left, HM.top, HM.size, HM.size);
    ctx.imageSmoothingEnabled = true;
    ctx.globalAlpha = HEAT_ALPHA;
    if (pv) ctx.drawImage(mapImage(bytesOf(pv.map), pv.grid, false), HM.left, HM.top, HM.size, HM.size);
    else ctx.drawImage(mapImage(bytesOf(f.output), f.outGrid, discrete), HM.left, HM.top, HM.size, HM.size);
    ctx.globalAlpha = 1;
    const px = (x1) => HM.left + (x1 - dm[0]) / (dm[1] - dm[0]) * HM.size;
    const py = (x2) => HM.top + (dm[3] - x2) / (dm[3] - dm[2]) * HM.size;
    const draw = (flat, stroke) => {
      const r = flat.length > 3000 * 3 ? 2.5 : 3.5;
      for (const p of pointsOf(flat, 2)) {
        ctx.beginPath();
        ctx.arc(px(p[0]), py(p[1]), r, 0, 2 * Math.PI);
        ctx.fillStyle = set.regression ? colourOf(p[2] / data.yScale) : (p[2] === 1 ? 'rgb(8,119,189)' : 'rgb(245,147,34)');
        ctx.fill();
        ctx.strokeStyle = stroke;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    };
    ctx.save();
    ctx.beginPath();
    ctx.rect(HM.left, HM.top, HM.size, HM.size);
    ctx.clip();
    draw(data.train, '#fff');
    if (S.cfg.showTest) draw(data.test, '#000');
    if (set.regression) {
      ctx.setLineDash([5, 4]);
      ctx.strokeStyle = '#333';
      ctx.beginPath();
      ctx.moveTo(HM.left, py(S.cfg.slice)); ctx.lineTo(HM.left + HM.size, py(S.cfg.slice));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
    ctx.strokeStyle = '#999';
    ctx.strokeRect(HM.left + 0.5, HM.top + 0.5, HM.size - 1, HM.size - 1);
    axes(ctx, dm[0], dm[1], dm[2], dm[3], HM.left, HM.top, HM.size, HM.size, 'x₁', 'x₂');
  }

  function ticks(lo, hi, n) {
    const span = hi - lo, step0 = span / n, mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.abs(v) < 1e-9 ? 0 : v);
    return out;
  }

  function axes(ctx, x0, x1, y0, y1, left, top, width, height, xl, yl) {
    ctx.fillStyle = '#555';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const v of ticks(x0, x1, 6)) {
      const x = left + (v - x0) / (x1 - x0) * width;
      ctx.fillRect(x, top + height, 1, 3);
      ctx.fillText(String(+v.toFixed(2)), x, top + height + 4);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of ticks(y0, y1, 6)) {
      const y = top + (y1 - v) / (y1 - y0) * height;
      ctx.fillRect(left - 3, y, 3, 1);
      ctx.fillText(String(+v.toFixed(2)), left - 5, y);
    }
    ctx.font = 'italic 11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillText(xl, left + width, top + height + 14);
    ctx.textAlign = 'left';
    ctx.fillText(yl, 2, top - 2);
  }

  const CV = { left: 40, top: 10, right: 10, bottom: 28 };

  function curveYRange(c, pts) {
    let lo = Infinity, hi = -Infinity;
    const see = (v) => { if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } };
    (c.truth || []).forEach(see);
    pts.forEach((p) => see(p[p.length - 1]));
    if (!Number.isFinite(lo)) c.fit.forEach(see);
    if (!Number.isFinite(lo)) { lo = -1; hi = 1; }
    const span = Math.max(hi - lo, 0.2);
    // Let the fit show where it strays, but not so far that the data
    // shrink to a line.
    c.fit.forEach((v) => {
      if (v !== null && Number.isFinite(v)) { lo = Math.max(Math.min(lo, v), lo - span * 0.5); hi = Math.min(Math.max(hi, v), hi + span * 0.5); }
    });
    const pad = (hi - lo) * 0.08 || 0.1;
    return [lo - pad, hi + pad];
  }

  function drawCurve() {
    const f = S.frame, data = S.data;
    const panel = $('curve-panel');
    if (!f || !data || !f.curve || panel.hidden) return;
    const cnv = $('curve');
    const { ctx, w, h } = setupCanvas(cnv);
    ctx.clearRect(0, 0, w, h);
    const c = f.curve, set = data.set, d = set.dims;
    const pw = w - CV.left - CV.right, ph = h - CV.top - CV.bottom;
    // Points: all of them in 1-D; in 2-D those near the slice.
    const near = (p) => d === 1 || Math.abs(p[1] - S.cfg.slice) <= (set.domain[3] - set.domain[2]) * 0.04;
    const train = pointsOf(data.train, d).filter(near);
    const test = S.cfg.showTest ? pointsOf(data.test, d).filter(near) : [];
    const [y0, y1] = curveYRange(c, train.concat(test));
    const X = (x) => CV.left + (x - c.from) / (c.to - c.from) * pw;
    const Y = (y) => CV.top + (y1 - y) / (y1 - y0) * ph;
    ctx.save();
    ctx.beginPath(); ctx.rect(CV.left, CV.top, pw, ph); ctx.clip();
    ctx.strokeStyle = '#e4e4e4'; ctx.lineWidth = 1;
    if (y0 < 0 && y1 > 0) { ctx.beginPath(); ctx.moveTo(CV.left, Y(0)); ctx.lineTo(CV.left + pw, Y(0)); ctx.stroke(); }
    if (c.from < 0 && c.to > 0) { ctx.beginPath(); ctx.moveTo(X(0), CV.top); ctx.lineTo(X(0), CV.top + ph); ctx.stroke(); }
    for (const p of train) {
      ctx.fillStyle = 'rgba(40,40,40,0.5)';
      ctx.beginPath(); ctx.arc(X(p[0]), Y(p[d]), 2.4, 0, 2 * Math.PI); ctx.fill();
    }
    for (const p of test) {
      ctx.strokeStyle = 'rgba(0,0,0,0.7)'; ctx.lineWidth = 1;
      ctx.beginPath(); ctx.arc(X(p[0]), Y(p[d]), 2.6, 0, 2 * Math.PI); ctx.stroke();
    }
    const n = c.fit.length, xs = (i) => c.from + (c.to - c.from) * i / (n - 1);
    if (c.truth) {
      ctx.setLineDash([5, 4]); ctx.strokeStyle = '#777'; ctx.lineWidth = 1.5;
      ctx.beginPath();
      c.truth.forEach((v, i) => { if (i) ctx.lineTo(X(xs(i)), Y(v)); else ctx.moveTo(X(xs(i)), Y(v)); });
      ctx.stroke(); ctx.setLineDash([]);
    }
    // Kinks: a dotted line and a dot where the fit bends.
    const fitAt = (x) => {
      const t = (x - c.from) / (c.to - c.from) * (n - 1), i = Math.max(0, Math.min(n - 2, Math.floor(t)));
      return (c.fit[i] || 0) + ((c.fit[i + 1] || 0) - (c.fit[i] || 0)) * (t - i);
    };
    for (const k of c.kinks) {
      const col = LAYER_COLOURS[k.layer % LAYER_COLOURS.length];
      ctx.strokeStyle = col; ctx.globalAlpha = 0.45; ctx.setLineDash([2, 3]); ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(X(k.x), CV.top); ctx.lineTo(X(k.x), CV.top + ph); ctx.stroke();
      ctx.setLineDash([]); ctx.globalAlpha = 1;
    }
    ctx.strokeStyle = 'rgba(8,119,189,0.9)'; ctx.lineWidth = 2.2;
    ctx.beginPath();
    c.fit.forEach((v, i) => { const y = Y(v === null ? 0 : v); if (i) ctx.lineTo(X(xs(i)), y); else ctx.moveTo(X(xs(i)), y); });
    ctx.stroke();
    for (const k of c.kinks) {
      ctx.fillStyle = LAYER_COLOURS[k.layer % LAYER_COLOURS.length];
      ctx.beginPath(); ctx.arc(X(k.x), Y(fitAt(k.x)), 3.2, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.restore();
    for (const k of c.kinks) {
      ctx.fillStyle = LAYER_COLOURS[k.layer % LAYER_COLOURS.length];
      const x = X(k.x), y = CV.top + ph;
      ctx.beginPath(); ctx.moveTo(x, y - 7); ctx.lineTo(x - 4, y); ctx.lineTo(x + 4, y); ctx.closePath(); ctx.fill();
    }
    ctx.strokeStyle = '#999';
    ctx.strokeRect(CV.left + 0.5, CV.top + 0.5, pw - 1, ph - 1);
    axes(ctx, c.from, c.to, y0, y1, CV.left, CV.top, pw, ph, d === 1 ? 'x' : 'x₁', 'y');
    const layers = new Set(c.kinks.map((k) => k.layer));
    $('kink-count').textContent = c.kinks.length ? `${c.kinks.length} kink${c.kinks.length === 1 ? '' : 's'} here${layers.size > 1 ? ', coloured by layer' : ''}.` : 'No kinks in view.';
    S.curveGeom = { X, Y, kinks: c.kinks };
  }

  function setupCurveEvents() {
    const cnv = $('curve'), tip = $('tooltip');
    cnv.addEventListener('mousemove', (e) => {
      const g = S.curveGeom, f = S.frame;
      if (!g || !f) return;
      const r = cnv.getBoundingClientRect(), x = e.clientX - r.left;
      let best = null, bd = 5;
      for (const k of g.kinks) { const d = Math.abs(g.X(k.x) - x); if (d < bd) { bd = d; best = k; } }
      if (!best) { tip.hidden = true; return; }
      let text = `Layer ${best.layer + 1}, neuron ${best.unit + 1} switches at x = ${fmt(best.x)}`;
      const layer = f.layers[best.layer];
      if (best.layer === 0 && layer.pieces === 1 && best.at === 0) {
        if (layer.in === 1 && S.cfg.features[0] === 'x') {
          const w = layer.w[best.unit], b = layer.b[best.unit];
          text += ` = −b/w = −(${fmt(b)})/(${fmt(w)})`;
        } else if (layer.in === 2 && S.cfg.features.join() === 'x1,x2') {
          const w1 = layer.w[best.unit * 2], w2 = layer.w[best.unit * 2 + 1], b = layer.b[best.unit];
          text += ` = −(b + w₂·x₂)/w₁ = −(${fmt(b)} + ${fmt(w2)}·${fmt(S.cfg.slice, 2)})/(${fmt(w1)})`;
        }
      } else if (best.at !== 0) {
        text += ` (its input crosses ${best.at})`;
      }
      tip.textContent = text + '.';
      tip.hidden = false;
      placeTip(tip, e.clientX, e.clientY);
    });
    cnv.addEventListener('mouseleave', () => { tip.hidden = true; });
  }

  function drawLossChart() {
    const f = S.frame;
    if (!f) return;
    const { ctx, w, h } = setupCanvas($('loss-chart'));
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = '#ddd';
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    const hs = f.history;
    if (!hs.epochs || hs.epochs.length < 2) {
      ctx.fillStyle = '#999';
      ctx.font = '12px system-ui, sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('The losses by epoch appear here as it trains.', w / 2, h / 2);
      return;
    }
    let top = 0;
    for (const v of hs.train.concat(hs.test)) if (v !== null && Number.isFinite(v)) top = Math.max(top, v);
    top = top || 1;
    const e0 = hs.epochs[0], e1 = hs.epochs[hs.epochs.length - 1] || 1;
    const line = (vals, colour) => {
      ctx.strokeStyle = colour; ctx.lineWidth = 1.5; ctx.beginPath();
      vals.forEach((v, i) => {
        const x = 2 + (w - 4) * (hs.epochs[i] - e0) / Math.max(1, e1 - e0);
        const y = h - 3 - (h - 6) * Math.min(1, (v || 0) / top);
        if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      });
      ctx.stroke();
    };
    line(hs.train, '#999');
    line(hs.test, '#000');
  }

  function drawLegend() {
    const data = S.data;
    if (!data) return;
    const { ctx, w, h } = setupCanvas($('legend-bar'));
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    ctx.globalAlpha = HEAT_ALPHA; // the heat map's colours
    for (let x = 0; x < w; x++) { ctx.fillStyle = colourOf(x / (w - 1) * 2 - 1); ctx.fillRect(x, 0, 1, h); }
    ctx.globalAlpha = 1;
    if (data.set.regression) {
      $('legend-lo').textContent = fmt(-data.yScale, 2);
      $('legend-mid').textContent = '0';
      $('legend-hi').textContent = fmt(data.yScale, 2);
    } else {
      $('legend-lo').textContent = `class ${data.classes[0]}`;
      $('legend-mid').textContent = 'p = ½';
      $('legend-hi').textContent = `class ${data.classes[1]}`;
    }
  }

  function formatLoss(v) {
    if (v === null || v === undefined) return '–';
    return v !== 0 && Math.abs(v) < 0.001 ? v.toExponential(2) : v.toFixed(3);
  }

  // matches reports whether a frame shows the network the controls
  // describe; right after a change, a frame of the old one may arrive.
  function matches(f) {
    const c = S.cfg;
    if (!f || !c || f.layers.length !== c.layers.length + 1 || f.layers[0].in !== c.features.length) return false;
    return c.layers.every((l, k) => f.layers[k].out === l.units * f.layers[k].pieces && f.nodes[k] && f.nodes[k].length === l.units);
  }

  function draw() {
    const t0 = performance.now();
    try {
      drawAll();
    } catch (err) {
      console.error(err);
    }
    S.drawMs = performance.now() - t0;
  }

  function drawAll() {
    const f = S.frame;
    if (!f || !S.data || !S.layout) return;
    const e = String(f.epoch).padStart(6, '0');
    $('epoch').textContent = `${e.slice(0, -3)},${e.slice(-3)}`;
    const play = $('play');
    $('icon-play').hidden = f.playing;
    $('icon-pause').hidden = !f.playing;
    play.classList.toggle('playing', f.playing);
    play.setAttribute('aria-label', f.playing ? 'Pause' : 'Play');
    const dv = $('diverged');
    dv.hidden = !f.diverged;
    if (f.diverged) dv.textContent = `Stopped: the loss is no longer finite. The losses and the epoch are those of epoch ${f.epoch.toLocaleString('en-US')}, the last good one.`;
    $('loss-test').textContent = formatLoss(f.loss.test);
    $('loss-train').textContent = formatLoss(f.loss.train);
    $('acc-test').textContent = f.loss.testAcc === null ? '' : `accuracy ${(f.loss.testAcc * 100).toFixed(1)}%`;
    $('acc-train').textContent = f.loss.trainAcc === null ? '' : `accuracy ${(f.loss.trainAcc * 100).toFixed(1)}%`;
    $('params').textContent = `${f.params.toLocaleString('en-US')} parameters`;
    $('fps').textContent = f.playing ? `${fps().toFixed(0)} frames/s` : '';
    if (S.drawnDV !== S.dv) { S.drawnDV = S.dv; updatePanels(); drawLegend(); layoutNetwork(); buildLayerControls(); }
    if (!matches(f) || S.data.set.name !== S.cfg.data && S.cfg.data !== 'csv') return;
    const t0 = performance.now();
    drawNetwork();
    S.netMs = performance.now() - t0;
    drawHeatmap();
    drawCurve();
    drawLossChart();
  }

  // ---- dataset thumbnails -------------------------------------------------

  function drawThumb(c, name) {
    const ctx = c.getContext('2d'), n = 44;
    const field = {
      circle: (x, y) => (Math.hypot(x, y) < 0.5 ? 1 : Math.hypot(x, y) < 0.7 ? 0 : -1),
      quadrants: (x, y) => (x * y >= 0 ? 1 : -1),
      gauss: (x, y) => Math.max(-1, Math.min(1, 1.6 * (Math.exp(-6 * ((x - 0.4) ** 2 + (y - 0.4) ** 2)) - Math.exp(-6 * ((x + 0.4) ** 2 + (y + 0.4) ** 2))))),
      spiral: (x, y) => {
        const r = Math.hypot(x, y), a = Math.atan2(y, x);
        return Math.sin(a + r * 9) > 0 ? 1 : -1;
      },
      plane: (x, y) => (x + y) / 2,
      gaussian: (x, y) => {
        let v = 0;
        for (const [cx, cy, s] of [[-0.66, 0.42, 1], [0, 0.42, -1], [0.66, 0.42, 1], [-0.66, -0.42, -1], [0, -0.42, 1], [0.66, -0.42, -1]]) {
          const b = s * Math.max(0, 1 - Math.hypot(x - cx, y - cy) / 0.33);
          if (Math.abs(b) > Math.abs(v)) v = b;
        }
        return v;
      },
      max: (x, y) => Math.max(x, y),
      xor: (x, y) => {
        const cx = x > 0 ? 1 : 0, cy = y < 0 ? 1 : 0;
        return Math.hypot(Math.abs(x) - 0.55, Math.abs(y) - 0.55) < 0.3 ? (cx ^ cy ? 1 : -0.15) : 0;
      },
    }[name];
    const curve = { abs: Math.abs, square: (x) => x * x, step: (x) => (x > 0 ? 1 : 0) }[name];
    if (field) {
      const img = ctx.createImageData(n, n);
      for (let j = 0; j < n; j++) {
        for (let i = 0; i < n; i++) {
          const v = field(i / (n - 1) * 2 - 1, 1 - j / (n - 1) * 2);
          const q = Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5) * 3, o = (j * n + i) * 4;
          img.data[o] = LUT[q]; img.data[o + 1] = LUT[q + 1]; img.data[o + 2] = LUT[q + 2]; img.data[o + 3] = 255;
        }
      }
      ctx.putImageData(img, 0, 0);
    } else if (curve) {
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, n, n);
      ctx.strokeStyle = '#ccc'; ctx.beginPath(); ctx.moveTo(0, n - 6); ctx.lineTo(n, n - 6); ctx.moveTo(n / 2, 0); ctx.lineTo(n / 2, n); ctx.stroke();
      ctx.strokeStyle = 'rgb(8,119,189)'; ctx.lineWidth = 2.5; ctx.beginPath();
      for (let i = 0; i <= 40; i++) {
        const x = i / 40 * 2 - 1, px = 2 + (n - 4) * i / 40, py = n - 6 - curve(x) * (n - 14);
        if (i) ctx.lineTo(px, py); else ctx.moveTo(px, py);
      }
      ctx.stroke();
    } else {
      ctx.fillStyle = '#f3f3f3'; ctx.fillRect(0, 0, n, n);
      ctx.fillStyle = '#555'; ctx.font = 'bold 12px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
      ctx.fillText('CSV', n / 2, n / 2);
    }
  }

  // ---- start --------------------------------------------------------------

  async function start() {
    try {
      S.meta = await api('/api/meta');
      S.hasUpload = !!storedUpload();
      buildStaticControls();
      setupNetworkEvents();
      setupCurveEvents();
      await openSession(location.search.replace(/^\?/, ''));
      window.addEventListener('resize', () => { layoutNetwork(); buildLayerControls(); draw(); });
      // A page that is only hidden (another tab, a minimised window) keeps
      // its session with heartbeats; one that is closed gives it up. A page
      // kept in the back-forward cache keeps it too.
      setInterval(heartbeat, S.meta.heartbeatMs || 30000);
      window.addEventListener('pagehide', (e) => {
        if (e.persisted || !S.id || S.lost) return;
        if (navigator.sendBeacon) navigator.sendBeacon(sessionPath('close'), new Blob([''], { type: 'text/plain' }));
      });
      document.body.dataset.ready = 'true';
      loop();
    } catch (err) {
      $('status').textContent = 'cannot start';
      showMessage(`The playground could not start: ${err.message}`, 'error');
    }
  }

  // For tests and the curious: the measured frame rate and the state.
  window.playground = { fps, state: S };

  start();
})();
