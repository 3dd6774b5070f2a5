// mailmold preview: keeps the index and template pages up to date over /events without
// reloading the page. The view (variant tab, profile, width, dark mode, source line) lives in
// the URL hash, so it survives every rebuild and a manual reload too.
'use strict';

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// serial wraps an async function so calls never overlap: a call made while one runs makes
// exactly one more run afterwards.
function serial(fn) {
  let running = false, again = false;
  return async function run() {
    if (running) { again = true; return; }
    running = true;
    try {
      do { again = false; await fn(); } while (again);
    } catch (err) {
      $('#status').textContent = 'preview server unreachable: ' + err.message;
    } finally { running = false; }
  };
}

// listen calls refresh on every rebuild and check, and after a reconnect that missed one;
// onRebuild, when given, first gets the new build's number.
function listen(refresh, onRebuild) {
  const es = new EventSource('/events');
  es.addEventListener('hello', (e) => { if (e.data !== document.body.dataset.version) refresh(); });
  es.addEventListener('rebuild', (e) => { if (onRebuild) onRebuild(e.data); refresh(); });
  es.addEventListener('check', refresh);
  es.onerror = () => { $('#status').textContent = 'reconnecting…'; };
}

// ---------- index ----------

// refreshIndex swaps in the table of a freshly rendered index page.
async function refreshIndex() {
  const r = await fetch('/', { cache: 'no-store' });
  const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
  $('#main').replaceWith(doc.querySelector('#main'));
  $('#status').replaceWith(doc.querySelector('#status'));
  document.body.dataset.version = doc.body.dataset.version;
}

// ---------- template page ----------

const VARIANTS = ['html', 'amp', 'text', 'source', 'headers'];
const WIDTHS = [375, 600, 800];
const DARK = ['off', 'css', 'invert'];
const AMP_VIEWS = ['static', 'live'];
const view = { variant: 'html', width: 600, profile: '', dark: 'off', amp: 'static', file: '', line: 0 };
const tname = document.body.dataset.template;
let data = null;
let adhocSeq = 0;

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (VARIANTS.includes(h.get('variant'))) view.variant = h.get('variant');
  if (WIDTHS.includes(Number(h.get('width')))) view.width = Number(h.get('width'));
  if (DARK.includes(h.get('dark'))) view.dark = h.get('dark');
  view.amp = AMP_VIEWS.includes(h.get('amp')) ? h.get('amp') : 'static';
  view.profile = h.get('profile') || '';
  view.file = h.get('file') || '';
  view.line = Number(h.get('line')) || 0;
}

function writeHash() {
  const h = new URLSearchParams({ variant: view.variant, width: String(view.width), dark: view.dark });
  if (view.profile) h.set('profile', view.profile);
  if (view.amp === 'live') h.set('amp', 'live');
  if (view.variant === 'source' && view.file) h.set('file', view.file);
  if (view.variant === 'source' && view.line) h.set('line', String(view.line));
  history.replaceState(null, '', '#' + h.toString());
}

async function loadTemplate() {
  const r = await fetch('/api/t/' + encodeURIComponent(tname), { cache: 'no-store' });
  const d = await r.json();
  d.missing = r.status === 404;
  data = d;
  draw();
  document.body.dataset.version = String(data.version);
}

function plural(n, word) { return `${n} ${word}${n === 1 ? '' : 's'}`; }

function draw() {
  const problem = data.workspace_error || data.error || (data.missing ? `${tname} is no longer in the workspace.` : '');
  $('#subject').textContent = data.subject || '';
  $('#status').textContent = `build ${data.version} · ` + (problem ? 'broken' : data.checked
    ? `${plural(data.errors, 'error')}, ${plural(data.warnings, 'warning')}` : 'checking…');
  for (const b of document.querySelectorAll('#variants button')) b.classList.toggle('active', b.dataset.variant === view.variant);
  for (const b of document.querySelectorAll('#widths button')) b.classList.toggle('active', Number(b.dataset.width) === view.width);
  $('#dark').value = view.dark;
  drawProfiles();

  $('#overlay-title').textContent = data.workspace_error ? 'The workspace does not load'
    : data.missing ? 'Template not found' : 'This template does not compile';
  $('#overlay-text').textContent = problem;
  $('#overlay').classList.toggle('hidden', !problem);
  $('#stage').classList.toggle('broken', !!problem);

  drawDiagnostics();
  drawAMPBar();
  const showSource = view.variant === 'source';
  $('#source').classList.toggle('hidden', !showSource);
  $('#grid').classList.toggle('hidden', showSource);
  if (showSource) drawSource();
  else if (!problem) drawGrid();
  writeHash();
}

// drawAMPBar labels the AMP tab's view: a static picture of the AMP part by default, or the
// real AMP runtime when the reader opts in.
function drawAMPBar() {
  $('#amp-bar').classList.toggle('hidden', view.variant !== 'amp');
  $('#amp-bar').classList.toggle('live', view.amp === 'live');
  $('#amp-live').checked = view.amp === 'live';
  $('#amp-mode').textContent = view.amp === 'live' ? 'Live AMP view' : 'Static view';
  $('#amp-note').textContent = view.amp === 'live'
    ? 'The AMP runtime from cdn.ampproject.org runs in each frame, sandboxed with scripts only (no access to this page or the preview). It needs network access: offline the frames stay blank.'
    : 'The AMP part as it looks without the AMP runtime: images shown, live lists with their fallback content. Nothing in it runs.';
}

function drawProfiles() {
  const sel = $('#profile');
  const opts = [el('option', { value: '', text: 'one per segment' }),
    ...data.profiles.map((p) => el('option', { value: p.id, text: `${p.id} (${p.segment || 'no segment'})` })),
    el('option', { value: 'adhoc', text: 'ad-hoc data (editor)' })];
  const sig = opts.map((o) => o.value + o.textContent).join('|');
  if (sel.dataset.sig !== sig) { sel.replaceChildren(...opts); sel.dataset.sig = sig; }
  if (view.profile && view.profile !== 'adhoc' && !data.profiles.some((p) => p.id === view.profile)) view.profile = '';
  sel.value = view.profile;
}

function drawDiagnostics() {
  const box = $('#diagnostics');
  // while a new build is being checked, the last check's list stays (dimmed) instead of
  // vanishing and coming back: the page below it does not jump on every save
  box.classList.toggle('stale', !data.checked && !data.error && !data.workspace_error);
  if (!data.checked && !data.error && !data.workspace_error && box.childElementCount) return;
  box.classList.remove('stale');
  if (!data.diagnostics.length) { box.replaceChildren(); return; }
  const items = data.diagnostics.map((d) => {
    const where = `${d.source || d.file}:${d.line}:${d.col}`;
    const link = d.source
      ? el('a', { href: '#', class: 'loc', 'data-file': d.source, 'data-line': String(d.line), text: where })
      : el('span', { class: 'loc', text: where });
    return el('li', { class: d.severity }, el('span', { class: 'sev', text: d.severity }), link,
      ` ${d.message} `, el('span', { class: 'rule', text: `[${d.rule}]` }),
      d.profile ? el('span', { class: 'prof', text: ` profile ${d.profile}` }) : null,
      d.hint ? el('div', { class: 'hint', text: 'hint: ' + d.hint }) : null);
  });
  box.replaceChildren(el('details', { open: '' },
    el('summary', { text: `${plural(data.errors, 'error')}, ${plural(data.warnings, 'warning')}` }), el('ul', {}, ...items)));
}

function drawSource() {
  const files = Object.keys(data.sources).sort((a, b) => (a === data.file ? -1 : b === data.file ? 1 : a.localeCompare(b)));
  const file = files.includes(view.file) ? view.file : data.file;
  const sel = $('#source-file');
  const sig = files.join('|');
  if (sel.dataset.sig !== sig) { sel.replaceChildren(...files.map((f) => el('option', { value: f, text: f }))); sel.dataset.sig = sig; }
  sel.value = file;
  const text = data.sources[file] || '';
  const ol = $('#source-lines');
  if (ol.dataset.file !== file || ol.dataset.text !== text) {
    ol.replaceChildren(...text.split('\n').map((l, i) => el('li', { id: 'L' + (i + 1), text: l || '\u200b' })));
    ol.dataset.file = file;
    ol.dataset.text = text;
  }
  for (const li of ol.querySelectorAll('li.hl, li.diag-error, li.diag-warning')) li.className = '';
  for (const d of data.diagnostics) {
    const li = d.source === file && document.getElementById('L' + d.line);
    if (li) { li.classList.add('diag-' + d.severity); li.title = d.message; }
  }
  const hl = view.line && document.getElementById('L' + view.line);
  if (hl) hl.classList.add('hl');
}

// columns lists the grid's columns for the current view.
function columns() {
  if (view.profile === 'adhoc') return [{ key: 'adhoc', label: 'ad-hoc data', sub: 'from the editor', adhoc: true }];
  if (view.profile) return [{ key: 'p:' + view.profile, label: 'profile ' + view.profile, profile: view.profile }];
  return data.columns.map((c) => ({ key: 's:' + c.segment + ':' + c.profile, label: c.segment || 'no segment',
    sub: c.profile ? 'profile ' + c.profile : 'no sample profile', profile: c.profile }));
}

// frameURL is what a column's frame shows, without the build number: the AMP tab shows the
// AMP part through GET /amp (static or live), the other tabs the raw variant.
function frameURL(profile) {
  const p = encodeURIComponent(profile), t = encodeURIComponent(tname);
  if (view.variant === 'amp') return `/amp/${t}?profile=${p}&view=${view.amp}`;
  return `/render/${t}?profile=${p}&variant=${view.variant}`;
}

function drawGrid() {
  const grid = $('#grid');
  const cols = columns();
  const byKey = new Map([...grid.children].map((c) => [c.dataset.key, c]));
  const wanted = cols.map((c) => {
    let col = byKey.get(c.key);
    if (!col) {
      col = el('div', { class: 'column', 'data-key': c.key },
        el('h3', {}, el('span', { class: 'label' }), el('small')), el('div', { class: 'frame-wrap' }));
    }
    col.querySelector('.label').textContent = c.label;
    col.querySelector('small').textContent = c.sub;
    const wrap = col.querySelector('.frame-wrap');
    wrap.style.width = view.width + 'px';
    wrap.className = 'frame-wrap dark-' + view.dark;
    if (!c.profile && !c.adhoc) {
      wrap.replaceChildren(el('p', { class: 'empty', text: 'No sample profile falls in this segment. Add one to profiles/ or use ad-hoc data.' }));
      wrap.dataset.key = '';
      wrap.dataset.loaded = String(data.version);
    } else if (c.adhoc) {
      if (!$('#adhoc-json').value) $('#adhoc-json').value = adhocText();
      const json = $('#adhoc-json').value;
      const key = `${data.version}|${view.variant}|${view.amp}|${json}`;
      if (wrap.dataset.key !== key) { wrap.dataset.key = key; submitAdhoc(wrap); }
    } else {
      const doc = frameURL(c.profile), url = `${doc}&build=${data.version}`;
      if (wrap.dataset.key !== url) {
        wrap.dataset.key = url;
        const shownNow = inPlaceFrame(wrap, doc);
        if (shownNow) updateFrame(wrap, shownNow, doc, url);
        else loadFrame(wrap, doc, (f) => { f.src = url; });
      }
    }
    return col;
  });
  // move only what changed: taking a frame out of the document reloads it
  wanted.forEach((col, i) => { if (grid.children[i] !== col) grid.insertBefore(col, grid.children[i] || null); });
  while (grid.children.length > wanted.length) grid.lastChild.remove();
  markShown();
}

// loadFrame loads a new sandboxed frame over the old one and swaps them as soon as the new
// document is parsed (remote images, slow or offline never there, do not hold the update up):
// no blank flash, no history entry (a frame's first load replaces its about:blank), and when
// the new frame shows the same document (doc) in a newer build, the reader's scroll position.
//
// No script from an email runs: an email's frame is sandboxed without allow-scripts (and its
// CSP forbids scripts), so it may keep allow-same-origin, which lets this page see the frame's
// document and scroll position. Only the AMP tab's opt-in live view runs a script, the AMP
// runtime, in a frame with allow-scripts and an opaque origin (never both flags together); it
// is swapped in on its load event.
function loadFrame(wrap, doc, start) {
  const version = String(data.version);
  const live = view.variant === 'amp' && view.amp === 'live';
  const f = el('iframe', { sandbox: live ? 'allow-scripts' : 'allow-same-origin', referrerpolicy: 'no-referrer',
    class: 'loading', title: `${tname} preview`, 'data-doc': doc });
  f.style.colorScheme = frameScheme();
  start(f);
  let swapped = false, kept = null;
  const swap = () => {
    if (swapped || !f.isConnected) return; // done already, or a newer frame finished first
    swapped = true;
    const shownNow = [...wrap.querySelectorAll('iframe:not(.loading)')].pop();
    if (shownNow && shownNow.dataset.doc === doc) kept = keepScroll(shownNow, f);
    for (let old = f.previousElementSibling; old; old = f.previousElementSibling) old.remove();
    f.classList.remove('loading');
    wrap.dataset.loaded = version;
    markShownAfterPaint();
  };
  const poll = () => {
    if (swapped || !f.isConnected) return;
    if (parsed(f)) swap(); else setTimeout(poll, 4);
  };
  const loaded = () => { swap(); scrollAgain(f, kept); };
  for (const p of wrap.querySelectorAll('p.empty')) p.remove();
  wrap.dataset.loaded = ''; // not shown until the new frame is in
  delete document.body.dataset.shown;
  if (f.name) {
    // a form posts into the frame once its initial about:blank has loaded; the next load is
    // the post's answer
    let blank = true;
    f.addEventListener('load', () => {
      if (blank) { blank = false; $('#adhoc-form').target = f.name; $('#adhoc-form').submit(); } else loaded();
    });
  } else f.addEventListener('load', loaded, { once: true });
  wrap.append(f);
  if (!live) setTimeout(poll, 0); // once drawGrid has put a new column in the page
}

// frameScheme is the color scheme a frame offers the email (its prefers-color-scheme): dark
// for the dark-mode preview that uses the email's own CSS. A frame is loaded anew when it
// changes.
function frameScheme() { return view.dark === 'css' ? 'dark' : 'light'; }

// settledFrame is the frame a column shows when no newer one is loading into it, else null.
function settledFrame(wrap) {
  const frames = wrap.querySelectorAll('iframe');
  const f = frames[frames.length - 1];
  return f && !f.classList.contains('loading') ? f : null;
}

// inPlaceFrame returns the frame of column wrap that updateFrame can bring to another build
// of document doc in place (settled, same-origin, showing doc in the current color scheme),
// or null.
function inPlaceFrame(wrap, doc) {
  const f = settledFrame(wrap);
  return f && f.dataset.doc === doc && f.style.colorScheme === frameScheme() &&
    f.getAttribute('sandbox') === 'allow-same-origin' ? f : null;
}

// updateFrame brings frame f, which shows document doc in an older build, to the build in url
// in place: it fetches the new document and morphs the frame's document into it (idiomorph),
// so only what changed is laid out again and the reader's scroll position, zoom and text
// selection stay as they were. A rebuild changes a line or two of a long email; loading five
// fresh frames for that costs the browser far more than the change does.
//
// The new document is parsed inertly (DOMParser runs nothing and loads nothing) in the
// frame's own realm, and its nodes are imported into the frame's own document, which stays
// sandboxed without allow-scripts under its EmailCSP: nothing from the email runs here
// either. When the frame cannot be patched (an error page, another content type) it loads
// the new document as a new frame instead, as drawGrid does from the start for a live AMP
// frame (scripts, opaque origin). A newer build or view that takes the column over
// meanwhile wins: this update then does nothing.
async function updateFrame(wrap, f, doc, url) {
  const version = String(data.version);
  wrap.dataset.loaded = '';
  delete document.body.dataset.shown;
  let patched = false;
  try {
    const got = prefetched.get(url) || fetchDoc(url);
    prefetched.delete(url);
    const r = await got;
    if (wrap.dataset.key !== url) return;
    patched = r.ok && f.isConnected && patchFrame(f, r.type, r.body);
  } catch (err) {
    patched = false; // unreachable now: the frame load below reports it the browser's way
  }
  if (wrap.dataset.key !== url) return;
  if (!patched) { loadFrame(wrap, doc, (nf) => { nf.src = url; }); return; }
  wrap.dataset.loaded = version;
  markShownAfterPaint();
}

// fetchDoc fetches a frame document: whether it was found, its content type and its text.
async function fetchDoc(url) {
  const r = await fetch(url, { cache: 'no-store' });
  return { ok: r.ok, type: r.headers.get('Content-Type') || '', body: await r.text() };
}

// prefetched holds the documents of the newest build that prefetch started, by URL.
const prefetched = new Map();

// prefetch starts fetching build version's documents for the columns updateFrame will
// update in place, as soon as the rebuild is announced, while the page still fetches the
// build's data (/api/t): a column whose view is unchanged by then takes its document from
// here. Documents of older builds are dropped.
function prefetch(version) {
  prefetched.clear();
  if (!data || data.error || data.workspace_error || view.variant === 'source') return;
  for (const wrap of document.querySelectorAll('#grid .frame-wrap')) {
    const m = /&build=\d+$/.exec(wrap.dataset.key || '');
    const doc = m && wrap.dataset.key.slice(0, m.index);
    if (!doc || !inPlaceFrame(wrap, doc)) continue;
    const url = doc + '&build=' + version;
    const got = fetchDoc(url);
    got.catch(() => {}); // reported, if still wanted, by updateFrame
    prefetched.set(url, got);
  }
}

// patchFrame turns the document in same-origin frame f into body, a response of content type
// ct, and reports whether it could: HTML is morphed, head included; plain text (the Text and
// Headers tabs, which the browser shows as one <pre>) replaces the text.
function patchFrame(f, ct, body) {
  let d;
  try { d = f.contentDocument; } catch (err) { return false; }
  if (!d || d.URL === 'about:blank' || !d.documentElement) return false;
  if (ct.startsWith('text/html') && d.contentType === 'text/html') {
    // parsed with the frame's own DOMParser: under the page's CSP every inline style of the
    // email would be checked and refused one by one (about 17 ms for the bundled newsletter);
    // under the frame's EmailCSP, which allows them, parsing takes about 1 ms
    const next = new d.defaultView.DOMParser().parseFromString(body, 'text/html');
    Idiomorph.morph(d.documentElement, next.documentElement, { head: { style: 'morph' }, restoreFocus: false });
    return true;
  }
  if (ct.startsWith('text/plain') && d.contentType === 'text/plain') {
    const pre = d.body && d.body.childElementCount === 1 && d.body.firstElementChild;
    if (!pre || pre.tagName !== 'PRE') return false;
    const text = body.replace(/\r\n?/g, '\n');
    if (pre.textContent !== text) pre.textContent = text;
    return true;
  }
  return false;
}

// parsed reports whether a same-origin frame's new document has been parsed (the frame's
// initial about:blank does not count).
function parsed(f) {
  try {
    const d = f.contentDocument;
    return !!d && d.URL !== 'about:blank' && d.readyState !== 'loading';
  } catch (err) { return false; }
}

// keepScroll scrolls frame `to` as far as frame `from` is scrolled (both same-origin and
// scriptless) and returns where it asked for and where it got.
function keepScroll(from, to) {
  try {
    const x = from.contentWindow.scrollX, y = from.contentWindow.scrollY;
    if (!x && !y) return null;
    to.contentWindow.scrollTo({ left: x, top: y, behavior: 'instant' });
    return { x, y, gotX: to.contentWindow.scrollX, gotY: to.contentWindow.scrollY };
  } catch (err) { return null; } // a live AMP frame has an opaque origin: its place cannot be read
}

// scrollAgain finishes keepScroll once the frame has loaded: a document that was too short
// for the kept position when it was swapped in (images still coming) scrolls there now,
// unless the reader has scrolled meanwhile.
function scrollAgain(f, kept) {
  if (!kept || (kept.gotX === kept.x && kept.gotY === kept.y)) return;
  try {
    const w = f.contentWindow;
    if (w.scrollX === kept.gotX && w.scrollY === kept.gotY) w.scrollTo({ left: kept.x, top: kept.y, behavior: 'instant' });
  } catch (err) { /* gone */ }
}

function submitAdhoc(wrap) {
  const form = $('#adhoc-form');
  const v = view.variant === 'source' ? 'html' : view.variant;
  form.action = `/adhoc/${encodeURIComponent(tname)}?variant=${v}` + (v === 'amp' ? `&view=${view.amp}` : '');
  $('#adhoc-variant').value = v;
  const target = 'adhoc-' + (++adhocSeq);
  form.target = target;
  loadFrame(wrap, `adhoc|${v}|${view.amp}`, (f) => { f.name = target; });
}

// markShownAfterPaint runs markShown once the browser has painted the page as it is now, so
// data-shown (and the save-to-update time the browser test reads off it) counts the layout
// and paint of what changed, not only the change to the DOM.
function markShownAfterPaint() {
  requestAnimationFrame(() => setTimeout(markShown, 0));
}

// markShown sets data-shown to the build every frame of the grid shows, once none is loading
// (the browser test waits on it, and times a save with it).
function markShown() {
  const wraps = [...document.querySelectorAll('#grid .frame-wrap')];
  if (data && wraps.every((w) => w.dataset.loaded === String(data.version))) document.body.dataset.shown = String(data.version);
}

function showLine(file, line) {
  view.variant = 'source';
  view.file = file;
  view.line = line;
  draw();
  const li = document.getElementById('L' + line);
  if (li) li.scrollIntoView({ block: 'center' });
}

function adhocText() {
  const saved = sessionStorage.getItem('mailmold-adhoc:' + tname);
  if (saved) return saved;
  const p = data && data.profiles[0];
  return JSON.stringify(p ? { ...p.data, id: 'ad-hoc' } : { id: 'ad-hoc' }, null, 2);
}

function renderAdhoc() {
  const text = $('#adhoc-json').value;
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('a profile must be a JSON object');
  } catch (err) {
    $('#adhoc-error').textContent = 'Invalid JSON: ' + err.message;
    return;
  }
  $('#adhoc-error').textContent = '';
  sessionStorage.setItem('mailmold-adhoc:' + tname, text);
  view.profile = 'adhoc';
  if (view.variant === 'source') view.variant = 'html';
  draw();
}

function wireTemplatePage() {
  readHash();
  $('#variants').addEventListener('click', (e) => {
    const v = e.target.dataset.variant;
    if (v) { view.variant = v; view.line = 0; draw(); }
  });
  $('#widths').addEventListener('click', (e) => { const w = Number(e.target.dataset.width); if (w) { view.width = w; draw(); } });
  $('#profile').addEventListener('change', (e) => { view.profile = e.target.value; draw(); });
  $('#dark').addEventListener('change', (e) => {
    view.dark = e.target.value;
    for (const w of document.querySelectorAll('#grid .frame-wrap')) w.dataset.key = ''; // reload with the new color scheme
    draw();
  });
  $('#amp-live').addEventListener('change', (e) => { view.amp = e.target.checked ? 'live' : 'static'; draw(); });
  $('#source-file').addEventListener('change', (e) => { view.file = e.target.value; view.line = 0; draw(); });
  $('#edit-toggle').addEventListener('click', (e) => {
    const ed = $('#editor');
    ed.classList.toggle('hidden');
    e.target.setAttribute('aria-expanded', String(!ed.classList.contains('hidden')));
    if (!$('#adhoc-json').value) $('#adhoc-json').value = adhocText();
  });
  $('#adhoc-render').addEventListener('click', renderAdhoc);
  $('#adhoc-json').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); renderAdhoc(); } });
  $('#adhoc-load').addEventListener('click', () => {
    const p = data.profiles.find((x) => x.id === view.profile) || data.profiles[0];
    if (p) $('#adhoc-json').value = JSON.stringify({ ...p.data, id: 'ad-hoc' }, null, 2);
  });
  $('#diagnostics').addEventListener('click', (e) => {
    const a = e.target.closest('a[data-line]');
    if (a) { e.preventDefault(); showLine(a.dataset.file, Number(a.dataset.line)); }
  });
  window.addEventListener('hashchange', () => { readHash(); draw(); });
}

window.addEventListener('DOMContentLoaded', async () => {
  if (document.body.dataset.page === 'template') {
    wireTemplatePage();
    const refresh = serial(loadTemplate);
    await refresh();
    if (view.profile === 'adhoc') $('#adhoc-json').value = adhocText();
    if (view.variant === 'source' && view.line) showLine(view.file, view.line);
    listen(refresh, prefetch);
  } else {
    listen(serial(refreshIndex));
  }
});
