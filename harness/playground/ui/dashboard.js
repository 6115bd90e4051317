// The oneclick world dashboard: one EventSource (/api/events) brings snapshots and events; every
// button posts to the world API (the same routes `oneclick world` uses). Text only, no innerHTML.
/* global document, Node, fetch, EventSource */
'use strict';

const $ = (id) => document.getElementById(id);
let world;
let orgCount = 0;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

async function post(path, body) {
  const result = $('result');
  const buttons = [...document.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  result.className = '';
  result.textContent = `${path.replace('/api/actions/', '')} …`;
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
      credentials: 'same-origin',
    });
    const answer = await res.json();
    if (!res.ok) {
      result.className = 'error';
      result.textContent = (answer.problems || [answer.error]).join('; ');
      return undefined;
    }
    const check = answer.check
      ? answer.check.holds
        ? ' ✓'
        : ` ✗ ${answer.check.failure || answer.check.expected}`
      : '';
    result.textContent = `${answer.summary || path}${answer.ms !== undefined ? ` (${answer.ms} ms)` : ''}${check}`;
    result.dataset.ms = String(answer.ms ?? '');
    return answer;
  } catch (error) {
    result.className = 'error';
    result.textContent = String(error);
    return undefined;
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

const act = (kind, body) => post(`/api/actions/${kind}`, body);

/** What a top-up pays with and for how many packages (the controls above the tables). */
const payment = () => ({ currency: $('currency').value, packages: Number($('packages').value) });

/** Fills each `section[data-columns]` from the one table template. */
function tables() {
  for (const section of document.querySelectorAll('section[data-columns]')) {
    const t = $('table').content.cloneNode(true);
    t.querySelector('h2').textContent = section.dataset.title;
    t.querySelector('tr').append(...section.dataset.columns.split('|').map((c) => el('th', {}, c)));
    section.append(t);
  }
}

function countdown(org) {
  if (!world || org.state === 'unpaid') return '';
  const left = org.blocksLeft > 0 ? org.blocksLeft : org.graceEnd - world.head;
  const what = org.blocksLeft > 0 ? 'to expiry' : 'to grace end';
  if (left <= 0) return 'past grace';
  const secs = world.blockTime ? ` ≈ ${left * world.blockTime} s` : '';
  return `${left} blocks ${what}${secs}`;
}

const rows = new Map();

/** A row per org, made once (its buttons stay put) and updated in place. */
function orgRow(org) {
  let row = rows.get(org.name);
  if (!row) {
    const button = (label, name, kind, body) =>
      el('button', { type: 'button', onclick: () => act(kind, body), 'data-act': name }, label);
    const target = { target: `node:${org.name}` };
    const cells = {};
    const cell = (name, cls) => (cells[name] = el('td', { class: cls || '', 'data-field': name }));
    const tr = el(
      'tr',
      { 'data-org': org.name },
      el('td', { class: 'mono', title: org.address }, org.name),
      cell('state'),
      cell('expiry'),
      cell('countdown'),
      cell('nid', 'mono'),
      cell('port'),
      cell('records', 'mono'),
      cell('http'),
      cell('p2p'),
      el(
        'td',
        {},
        el(
          'button',
          {
            type: 'button',
            onclick: () => act('top-up', { org: org.name, ...payment() }),
            'data-act': 'top-up',
          },
          'top up',
        ),
        button('cancel', 'cancel', 'cancel', { org: org.name }),
        button('suspend', 'suspend', 'suspend', { org: org.name }),
        button('mine to expiry', 'mine-to-expiry', 'mine-to', { org: org.name, at: 'expiry' }),
        button('mine to grace end', 'mine-to-grace-end', 'mine-to', { org: org.name, at: 'grace-end' }),
        button('kill node', 'kill-node', 'kill', target),
        button('restart node', 'restart-node', 'restart', target),
      ),
    );
    row = { tr, cells };
    rows.set(org.name, row);
  }
  const { tr, cells } = row;
  tr.dataset.state = org.state;
  cells.state.replaceChildren(el('span', { class: `state ${org.state}` }, org.state));
  cells.expiry.textContent = org.expiry || '–';
  cells.countdown.textContent = countdown(org);
  cells.nid.textContent = org.nid || '';
  cells.port.textContent = org.port ?? '';
  const records = [
    ...org.records.a.map((a) => `A ${a}`),
    ...org.records.srv.map((x) => `SRV ${x}`),
    ...org.records.txt.map((t) => `TXT ${t}`),
  ];
  cells.records.textContent = records.join('\n') || 'none';
  cells.http.textContent = org.health.http || '–';
  cells.http.className = org.health.http === 200 ? 'good' : 'bad';
  cells.p2p.textContent = org.health.p2p;
  cells.p2p.className = org.health.p2p === 'ok' ? 'good' : 'bad';
  return tr;
}

function fillSelect(select, names) {
  const keep = select.value;
  if ([...select.options].map((o) => o.value).join() === names.join()) return;
  select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
  if (names.includes(keep)) select.value = keep;
}

function topology(s) {
  const root = $('topology');
  const parts = [];
  const box = (x, y, w, h, label, cls) => {
    parts.push(svg('rect', { x, y, width: w, height: h, rx: 6, class: cls || '' }));
    parts.push(svg('text', { x: x + 6, y: y + 14 }, label));
  };
  const line = (x1, y1, x2, y2) => parts.push(svg('line', { x1, y1, x2, y2 }));
  box(300, 10, 300, 70, `internet ${s.topology.internet}`);
  parts.push(svg('text', { x: 310, y: 40 }, `DNS ${s.topology.dns} · chain ${s.topology.chain}`));
  box(640, 10, 240, 70, `provider ${s.provider.name}`, s.provider.running ? 'up' : 'down');
  parts.push(svg('text', { x: 650, y: 40 }, `${s.provider.address} · edge`));
  line(600, 45, 640, 45);
  s.orgs.forEach((o, i) => {
    const x = 640 + (i % 4) * 60;
    const y = 100 + Math.floor(i / 4) * 34;
    parts.push(
      svg('rect', { x, y, width: 56, height: 28, rx: 4, class: o.state === 'served' ? 'up' : 'node' }),
    );
    parts.push(svg('text', { x: x + 4, y: y + 17 }, o.name.slice(0, 8)));
    line(700, 80, x + 28, y);
  });
  s.topology.lans.forEach((lan, i) => {
    const x = 10 + (i % 4) * 150;
    const y = 120 + Math.floor(i / 4) * 70;
    box(x, y, 140, 56, `${lan.name} ${lan.subnet}`);
    parts.push(svg('text', { x: x + 6, y: y + 30 }, `router ${lan.router} (${lan.nat})`));
    const peers = s.peers.filter((p) => p.lan === lan.name).map((p) => p.name);
    parts.push(svg('text', { x: x + 6, y: y + 46 }, peers.join(', ')));
    line(x + 70, y, 450, 80);
  });
  root.replaceChildren(...parts);
}

function render(s) {
  world = s;
  $('run').textContent = s.runId;
  $('head').textContent = s.head;
  $('block-time').textContent = s.blockTime ? `${s.blockTime} s` : 'a block per transaction';
  $('confirmations').textContent = s.confirmations;
  $('grace').textContent = s.graceBlocks;
  $('provider').textContent = `${s.provider.name} ${s.provider.running ? 'running' : 'stopped'}`;
  $('provider').className = s.provider.running ? 'good' : 'bad';
  $('faults').textContent = s.faults;
  orgCount = s.orgs.length;
  const body = document.querySelector('#orgs tbody');
  const wanted = s.orgs.map(orgRow);
  if (wanted.some((tr, i) => body.children[i] !== tr) || body.children.length !== wanted.length)
    body.replaceChildren(...wanted);
  document
    .querySelector('#peers tbody')
    .replaceChildren(
      ...s.peers.map((p) =>
        el(
          'tr',
          { 'data-peer': p.name },
          el('td', {}, p.name),
          el('td', {}, p.lan || 'internet'),
          el('td', {}, p.nat || '–'),
          el('td', { class: 'mono' }, `${p.address}${p.publicAddress ? ` → ${p.publicAddress}` : ''}`),
          el('td', { class: 'mono' }, p.nid || ''),
          el(
            'td',
            { class: 'mono' },
            p.sessions.map((x) => `${x.nid.slice(0, 16)}… ${x.state}`).join('\n') || 'none',
          ),
        ),
      ),
    );
  // An EthProvider takes ether only; a TokenProvider its token, or ether swapped for it.
  fillSelect($('currency'), s.currency === 'token' ? ['token', 'eth'] : ['eth']);
  fillSelect(
    $('fault-peer'),
    s.peers.map((p) => p.name),
  );
  fillSelect(
    $('fault-org'),
    s.orgs.map((o) => o.name),
  );
  topology(s);
}

function addEvent(e) {
  const list = $('events');
  list.append(
    el(
      'li',
      { 'data-kind': e.kind },
      el('span', { class: 'kind' }, e.kind),
      `${e.at.slice(11, 19)} ${e.text}`,
    ),
  );
  while (list.children.length > 300) list.firstChild.remove();
  list.scrollTop = list.scrollHeight;
}

function connect() {
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').className = 'good';
  });
  source.addEventListener('snapshot', (m) => render(JSON.parse(m.data)));
  source.addEventListener('event', (m) => addEvent(JSON.parse(m.data)));
  source.addEventListener('error', () => {
    $('live').textContent = 'disconnected (reconnecting; a new link: oneclick world url)';
    $('live').className = 'bad';
  });
}

function newOrgName() {
  const names = new Set((world?.orgs || []).map((o) => o.name));
  let n = orgCount + 1;
  while (names.has(`org${n}`)) n += 1;
  return `org${n}`;
}

function wire() {
  $('new-org').onclick = () => act('top-up', { org: newOrgName(), create: true, ...payment() });
  $('register').onclick = () => act('register-then-top-up', { org: newOrgName(), ...payment() });
  $('mine').onclick = () => act('mine', { blocks: Number($('mine-n').value) });
  $('reorg').onclick = () => act('reorg', { depth: Number($('reorg-n').value) });
  $('heal').onclick = () => act('heal', {});
  $('partition').onclick = () => act('partition', { peer: $('fault-peer').value, org: $('fault-org').value });
  $('latency').onclick = () =>
    act('latency', { peer: $('fault-peer').value, ms: Number($('latency-ms').value) });
  $('loss').onclick = () =>
    act('loss', { peer: $('fault-peer').value, percent: Number($('loss-pct').value) });
  $('dial').onclick = () =>
    post(`/api/peers/${encodeURIComponent($('fault-peer').value)}/dial`, { org: $('fault-org').value });
  for (const b of document.querySelectorAll('[data-target-action]'))
    b.onclick = () => act(b.dataset.targetAction, { target: b.dataset.target });
}

tables();
wire();
connect();
