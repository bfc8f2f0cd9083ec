// The test page: compose or pick a basket, score it through the same API partners use, and watch the last minute of traffic.
'use strict';

const samples = {
  laptop: [
    { item: 'Computers', cashPrice: 1299, make: 'Apple', model: 'MacBook Pro 14', goodsCode: '239001518', quantity: 1 },
    { item: 'Warranty', cashPrice: 149, make: 'Apple', model: 'AppleCare', goodsCode: '240001007', quantity: 1 },
  ],
  phones: [
    { item: 'Telephones, fax machines & two-way radios', cashPrice: 1099, make: 'Apple', model: 'iPhone 15 Pro Max 256GB', goodsCode: '238870001', quantity: 3 },
    { item: 'Telephones, fax machines & two-way radios', cashPrice: 999, make: 'Samsung', model: 'Galaxy S24 Ultra', goodsCode: '238870002', quantity: 2 },
  ],
  grocery: [
    { item: 'Bedroom furniture', cashPrice: 459, make: 'Retailer', model: 'Oak bed frame', goodsCode: '230100010', quantity: 1 },
    { item: 'Bedding & linen', cashPrice: 39, make: 'Retailer', model: 'Duvet set', goodsCode: '230100020', quantity: 2 },
    { item: 'Kitchen accessories', cashPrice: 19.5, make: 'Retailer', model: 'Knife block', goodsCode: '230100030', quantity: 1 },
  ],
};

const $ = (id) => document.getElementById(id);
const fields = [
  ['item', 'text'], ['cashPrice', 'number'], ['make', 'text'], ['model', 'text'], ['goodsCode', 'text'], ['quantity', 'number'],
];

function addRow(item) {
  const tr = document.createElement('tr');
  for (const [name, type] of fields) {
    const td = document.createElement('td');
    const input = document.createElement('input');
    input.type = type;
    input.name = name;
    if (type === 'number') {
      input.className = 'num';
      input.step = name === 'quantity' ? '1' : '0.01';
      input.min = name === 'quantity' ? '1' : '0';
    }
    input.value = item ? item[name] : (name === 'quantity' ? 1 : '');
    td.appendChild(input);
    tr.appendChild(td);
  }
  const td = document.createElement('td');
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'remove';
  remove.textContent = '×';
  remove.title = 'Remove item';
  remove.addEventListener('click', () => {
    tr.remove();
    updateAddButton();
  });
  td.appendChild(remove);
  tr.appendChild(td);
  $('items').tBodies[0].appendChild(tr);
}

function loadSample(name) {
  $('items').tBodies[0].replaceChildren();
  samples[name].forEach(addRow);
  updateAddButton();
}

const maxItems = 24;

// Checks the form the way the API does and builds the basket: a blank price or quantity is an error to fix here,
// never sent as 0 (issue 19, item 1); blank make, model and goods code are left out, as the contract allows.
function readBasket() {
  const errors = [];
  const id = $('basket-id').value.trim();
  if (!id) errors.push('id: The basket id is required.');
  const rows = [...$('items').tBodies[0].rows];
  if (rows.length === 0) errors.push('items: A basket needs at least one item.');
  if (rows.length > maxItems) errors.push(`items: A basket holds at most ${maxItems} items.`);
  const items = rows.map((tr, i) => {
    const value = (name) => tr.querySelector(`input[name="${name}"]`).value.trim();
    const item = { item: value('item') };
    if (!item.item) errors.push(`items[${i}].item: The item category is required.`);
    const price = value('cashPrice');
    if (price === '' || !Number.isFinite(Number(price)) || Number(price) < 0) {
      errors.push(`items[${i}].cashPrice: Enter the unit price, a number of at least 0.`);
    }
    item.cashPrice = Number(price);
    for (const name of ['make', 'model', 'goodsCode']) {
      if (value(name)) item[name] = value(name);
    }
    const quantity = value('quantity');
    if (quantity === '' || !Number.isInteger(Number(quantity)) || Number(quantity) < 1) {
      errors.push(`items[${i}].quantity: Enter the quantity, a whole number of at least 1.`);
    }
    item.quantity = Number(quantity);
    return item;
  });
  return { basket: { id, items }, errors };
}

function updateAddButton() {
  const full = $('items').tBodies[0].rows.length >= maxItems;
  $('add-item').disabled = full;
  $('add-item').title = full ? `A basket holds at most ${maxItems} items.` : '';
}

function headers() {
  const h = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const key = $('api-key').value;
  if (key) h['x-api-key'] = key;
  return h;
}

// One line per problem, so a long list of field errors stays readable.
function showError(text, lines = []) {
  const box = $('error');
  box.replaceChildren();
  if (text) box.append(text);
  if (lines.length) {
    const list = document.createElement('ul');
    for (const line of lines) {
      const li = document.createElement('li');
      li.textContent = line;
      list.appendChild(li);
    }
    box.appendChild(list);
  }
  box.hidden = !text && lines.length === 0;
}

function renderReasons(reasons) {
  const container = $('reasons');
  container.replaceChildren();
  const max = Math.max(1e-9, ...reasons.map((r) => Math.abs(r.contribution)));
  for (const r of reasons) {
    const name = document.createElement('div');
    name.textContent = r.description || r.code;
    name.title = r.code;
    const track = document.createElement('div');
    track.className = 'bar-track';
    const bar = document.createElement('div');
    bar.className = 'bar ' + (r.contribution >= 0 ? 'up' : 'down');
    bar.style.width = `${(50 * Math.abs(r.contribution)) / max}%`;
    track.appendChild(bar);
    const value = document.createElement('div');
    value.className = 'bar-value';
    value.textContent = (r.contribution >= 0 ? '+' : '') + r.contribution.toFixed(3);
    container.append(name, track, value);
  }
  if (reasons.length === 0) {
    container.textContent = 'No reasons returned.';
  }
}

async function score() {
  showError('');
  // A result belongs to the basket that produced it: never leave an old one under a new error.
  $('result').hidden = true;
  const { basket, errors } = readBasket();
  if (errors.length) {
    showError('Fix these before scoring:', errors);
    return;
  }
  const button = $('score');
  button.disabled = true;
  try {
    const response = await fetch('/api/score', { method: 'POST', headers: headers(), body: JSON.stringify(basket) });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const fieldErrors = body.errors ? Object.entries(body.errors).map(([f, m]) => `${f}: ${m.join(' ')}`) : [];
      showError(`${response.status} ${body.title || response.statusText}${fieldErrors.length === 0 && body.detail ? ' – ' + body.detail : ''}`, fieldErrors);
      return;
    }
    $('result').hidden = false;
    $('probability').textContent = `${(body.fraudProbability * 100).toFixed(2)} %`;
    $('decision').textContent = body.decision;
    $('decision').className = `decision ${body.decision}`;
    $('result-model').textContent = body.modelVersion;
    renderReasons(body.reasons || []);
    refreshStats();
  } catch (e) {
    showError(`Could not reach the service: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

async function refreshStats() {
  try {
    const response = await fetch('/api/stats', { headers: headers() });
    if (!response.ok) return;
    const s = await response.json();
    // The server's histogram tops out at 100 ms; anything slower is reported as that bound.
    // Latencies are histogram bucket bounds (within 5 %); only past the last bucket (100 s) is the figure a floor.
    const fmt = (v, unit) => (v === null || v === undefined ? '–'
      : v >= 100000 ? `≥ 100000 ${unit}`
      : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${unit}`);
    $('stat-rate').textContent = `${s.scoring.requestsPerSecond.toFixed(2)} req/s`;
    $('stat-fraud').textContent = `${(s.scoring.flaggedRate * 100).toFixed(1)} % of ${s.scoring.baskets}`;
    $('stat-latency').textContent = `${fmt(s.scoring.latencyP50Ms, 'ms')} / ${fmt(s.scoring.latencyP99Ms, 'ms')}`;
    $('stat-model').textContent = s.modelVersion || 'none loaded';
    $('model-version').textContent = s.modelVersion || 'none loaded';
    const m = s.lastMonitoring;
    $('stat-drift').textContent = m
      ? `${m.outcome}${m.driftDetected ? ', drift' : ''}${m.scorePsi !== undefined && m.scorePsi !== null ? ` (score PSI ${m.scorePsi.toFixed(3)})` : ''}, ${new Date(m.completedAt).toLocaleString()}`
      : 'not run yet';
  } catch {
    // The next refresh tries again.
  }
}

$('sample').addEventListener('change', (e) => loadSample(e.target.value));
$('add-item').addEventListener('click', () => {
  if ($('items').tBodies[0].rows.length < maxItems) addRow();
  updateAddButton();
});
$('score').addEventListener('click', score);
loadSample('laptop');
refreshStats();
setInterval(refreshStats, 5000);
