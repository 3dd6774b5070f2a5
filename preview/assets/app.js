// mailmold preview: renders the index and template pages from /api/state and keeps them up
// to date over /events without reloading the page (tab, profile, width and scroll survive).
'use strict';

const $ = (sel) => document.querySelector(sel);
let state = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function loadState() {
  const r = await fetch('/api/state', { cache: 'no-store' });
  state = await r.json();
  $('#status').textContent = `build ${state.version}`;
  return state;
}

// ---------- index ----------
function renderIndex() {
  const wsErr = $('#ws-error');
  wsErr.classList.toggle('hidden', !state.error);
  wsErr.querySelector('pre').textContent = state.error || '';
  $('#workspace').textContent = state.workspace;
  const body = $('#templates tbody');
  body.replaceChildren(...state.templates.map((t) => {
    const status = el('td');
    if (t.error) status.append(el('span', { class: 'badge err', text: 'does not compile' }));
    else if (!t.errors && !t.warnings) status.append(el('span', { class: 'badge ok', text: 'clean' }));
    if (t.errors && !t.error) status.append(el('span', { class: 'badge err', text: `${t.errors} error${t.errors > 1 ? 's' : ''}` }));
    if (t.warnings) status.append(el('span', { class: 'badge warn', text: `${t.warnings} warning${t.warnings > 1 ? 's' : ''}` }));
    return el('tr', {}, el('td', {}, el('a', { href: '/t/' + encodeURIComponent(t.name), text: t.name })), el('td', { text: t.subject || '' }), status);
  }));
}

// ---------- template page ----------
const view = { variant: 'html', width: 600, profile: '', dark: false };

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (h.get('variant')) view.variant = h.get('variant');
  if (h.get('width')) view.width = Number(h.get('width')) || 600;
  view.profile = h.get('profile') || '';
  view.dark = h.get('dark') === '1';
}

function writeHash() {
  const h = new URLSearchParams({ variant: view.variant, width: String(view.width), profile: view.profile, dark: view.dark ? '1' : '0' });
  history.replaceState(null, '', '#' + h.toString());
}

function current() {
  const name = decodeURIComponent(location.pathname.replace(/^\/t\//, ''));
  return state.templates.find((t) => t.name === name);
}

function columns(t) {
  if (view.profile) return [{ segment: '', profile: view.profile, label: 'profile ' + view.profile }];
  return t.columns.map((c) => ({ ...c, label: (c.segment || 'no segment') + ' \u2014 ' + c.profile }));
}

function frameURL(tname, profile) {
  const v = view.variant === 'headers' ? 'headers' : view.variant;
  return `/render/${encodeURIComponent(tname)}?profile=${encodeURIComponent(profile)}&variant=${v}&build=${state.version}`;
}

function renderTemplate() {
  const t = current();
  if (!t) { $('#overlay-text').textContent = 'This template no longer exists.'; $('#overlay').classList.remove('hidden'); return; }
  $('#name').textContent = t.name;
  document.body.classList.toggle('dark', view.dark);
  $('#dark').checked = view.dark;
  for (const b of document.querySelectorAll('#variants button')) b.classList.toggle('active', b.dataset.variant === view.variant);
  for (const b of document.querySelectorAll('#widths button')) b.classList.toggle('active', Number(b.dataset.width) === view.width);

  const sel = $('#profile');
  const keep = view.profile;
  sel.replaceChildren(el('option', { value: '', text: 'one per segment' }),
    ...state.profiles.map((p) => el('option', { value: p.id, text: `${p.id} (${p.segment || 'no segment'})` })));
  sel.value = keep;

  // error overlay: shown while the template does not compile, hidden again once it does
  $('#overlay').classList.toggle('hidden', !t.error);
  $('#overlay-text').textContent = t.error || '';

  // diagnostics with links to the source line
  const diags = $('#diagnostics');
  diags.replaceChildren();
  if (t.diagnostics.length) {
    diags.append(el('ul', {}, ...t.diagnostics.map((d) => el('li', { class: d.severity },
      el('a', { href: '#', 'data-line': String(d.line) , text: `${d.line}:${d.col}` }), ` ${d.severity}: ${d.message} [${d.rule}]`))));
  }

  // source view
  const lines = $('#source-lines');
  lines.replaceChildren(...t.source.split('\n').map((l, i) => el('li', { id: 'L' + (i + 1), text: l })));
  const showSource = view.variant === 'source';
  $('#source').classList.toggle('hidden', !showSource);
  $('#grid').classList.toggle('hidden', showSource || !!t.error);

  // the grid: reuse iframes so the page does not jump
  const grid = $('#grid');
  const cols = columns(t);
  while (grid.children.length > cols.length) grid.lastChild.remove();
  cols.forEach((c, i) => {
    let col = grid.children[i];
    if (!col) {
      col = el('div', { class: 'column' }, el('h3'), el('iframe', { sandbox: '', referrerpolicy: 'no-referrer' }));
      grid.append(col);
    }
    col.querySelector('h3').textContent = c.label;
    const frame = col.querySelector('iframe');
    frame.title = `${t.name} for ${c.label}`;
    frame.style.width = view.width + 'px';
    frame.dataset.profile = c.profile;
    const url = frameURL(t.name, c.profile);
    if (!showSource && !t.error && frame.getAttribute('src') !== url) {
      frame.onload = () => frameLoaded(state.version);
      frame.setAttribute('src', url);
    }
  });
  $('#adhoc-form').action = '/adhoc/' + encodeURIComponent(t.name) + '?variant=' + (view.variant === 'amp' || view.variant === 'text' ? view.variant : 'html');
  $('#adhoc-variant').value = view.variant;
  writeHash();
}

// frameLoaded marks the page as showing build v once every frame has loaded it (the browser
// test waits on data-shown to measure save-to-update time).
function frameLoaded(v) {
  const frames = [...document.querySelectorAll('#grid iframe')];
  if (frames.every((f) => (f.getAttribute('src') || '').endsWith('build=' + v))) document.body.dataset.shown = String(v);
}

function showLine(n) {
  view.variant = 'source';
  renderTemplate();
  for (const li of document.querySelectorAll('#source-lines li.hl')) li.classList.remove('hl');
  const li = document.getElementById('L' + n);
  if (li) { li.classList.add('hl'); li.scrollIntoView({ block: 'center' }); }
}

function wireTemplatePage() {
  readHash();
  $('#variants').addEventListener('click', (e) => { const v = e.target.dataset.variant; if (v) { view.variant = v; renderTemplate(); } });
  $('#widths').addEventListener('click', (e) => { const w = e.target.dataset.width; if (w) { view.width = Number(w); renderTemplate(); } });
  $('#profile').addEventListener('change', (e) => { view.profile = e.target.value; renderTemplate(); });
  $('#dark').addEventListener('change', (e) => { view.dark = e.target.checked; renderTemplate(); });
  $('#edit-toggle').addEventListener('click', () => $('#editor').classList.toggle('hidden'));
  $('#diagnostics').addEventListener('click', (e) => { const n = e.target.dataset.line; if (n) { e.preventDefault(); showLine(Number(n)); } });
}

async function refresh() {
  await loadState();
  if (document.body.dataset.page === 'index') renderIndex(); else renderTemplate();
  document.body.dataset.version = String(state.version);
}

function listen() {
  const es = new EventSource('/events');
  es.addEventListener('rebuild', () => refresh());
  es.addEventListener('hello', (e) => { if (state && Number(e.data) !== state.version) refresh(); });
}

window.addEventListener('DOMContentLoaded', async () => {
  if (document.body.dataset.page === 'template') wireTemplatePage();
  await refresh();
  listen();
});
