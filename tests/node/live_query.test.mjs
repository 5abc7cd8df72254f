// Live queries with real clients (npm `ws` and `sockjs-client`) against the real
// `flotilla` binary: a fleetctl-style flow over the raw WebSocket and a UI-style
// flow over SockJS's websocket transport. Run by CTest (tests/CMakeLists.txt).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import SockJS from 'sockjs-client';

const binary = process.env.FLOTILLA_BINARY;
const store = process.env.FLOTILLA_NODE_STORE ?? 'sqlite';
let server, base, token, dir, database;

function waitFor(stream, re, ms = 10000) {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${out}`)), ms);
    stream.on('data', (d) => {
      out += d;
      const m = out.match(re);
      if (m) { clearTimeout(timer); resolve(m); }
    });
  });
}

async function post(path, body, auth = true) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: auth && token ? { Authorization: `Bearer ${token}` } : {},
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

class Agent {
  constructor(name) { this.name = name; this.answered = []; }
  async enroll(secret) {
    const r = await post('/api/v1/osquery/enroll', {
      enroll_secret: secret, host_identifier: this.name,
      host_details: { os_version: { platform: 'ubuntu' }, system_info: { hostname: this.name } },
    }, false);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.key = r.body.node_key;
  }
  // Answers every due query; live queries get rowsFor(this host's name).
  async checkIn(rowsFor = oneRow) {
    const r = await post('/api/v1/osquery/distributed/read', { node_key: this.key }, false);
    assert.equal(r.status, 200);
    const queries = {}, statuses = {};
    for (const name of Object.keys(r.body.queries)) {
      queries[name] = name.startsWith('fleet_distributed_query_') ? rowsFor(this.name) : [];
      statuses[name] = 0;
      if (name.startsWith('fleet_distributed_query_')) this.answered.push(name);
    }
    if (Object.keys(queries).length)
      assert.equal((await post('/api/v1/osquery/distributed/write', { node_key: this.key, queries, statuses }, false)).status, 200);
    return Object.keys(queries);
  }
}

let agents;
const oneRow = (host) => [{ answered_by: host, n: '1' }];
// 150 rows of ~1 KB per host: two hosts' results exceed one xhr_streaming
// response's 128 KiB, so the client must reconnect to the same session.
const bigRows = (host) => Array.from({ length: 150 }, (_, i) => ({ answered_by: host, n: String(i), pad: 'x'.repeat(1000) }));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-node-'));
  const args = ['serve', '--server_address', '127.0.0.1:0',
    '--osquery_result_log_file', join(dir, 'r'), '--osquery_status_log_file', join(dir, 's')];
  if (store === 'mysql') {
    const sock = process.env.FLOTILLA_TEST_MYSQL_ADDRESS;
    database = `flotilla_node_${process.pid}`;
    execFileSync('mariadb', ['--no-defaults', '-S', sock, '-uroot', '-e', `CREATE DATABASE ${database}`]);
    const mysql = ['--mysql_address', sock, '--mysql_username', 'root', '--mysql_database', database];
    execFileSync(binary, ['prepare', 'db', ...mysql]);
    args.push(...mysql);
  } else {
    args.push('--sqlite_path', join(dir, 'f.db'));
  }
  server = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const m = await waitFor(server.stdout, /serving on (http:\/\/[^ ]+) /);
  base = m[1];
  const setup = await post('/api/v1/setup', {
    server_url: 'https://fleet.example.com',
    admin: { name: 'A', email: 'a@example.com', password: 'pw' },
  }, false);
  assert.equal(setup.status, 200);
  token = setup.body.token;
  const secrets = await (await fetch(base + '/api/v1/fleet/spec/enroll_secret', { headers: { Authorization: `Bearer ${token}` } })).json();
  agents = [new Agent('node-a'), new Agent('node-b')];
  for (const a of agents) { await a.enroll(secrets.spec.secrets[0].secret); await a.checkIn(); }
});

after(() => {
  server?.kill('SIGTERM');
  if (database)
    execFileSync('mariadb', ['--no-defaults', '-S', process.env.FLOTILLA_TEST_MYSQL_ADDRESS, '-uroot', '-e', `DROP DATABASE ${database}`]);
  rmSync(dir, { recursive: true, force: true });
});

async function newCampaign() {
  const r = await post('/api/v1/fleet/queries/run_by_names', {
    query: 'SELECT 1', query_id: null, selected: { hosts: ['node-a', 'node-b'], labels: [''] },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.campaign.Metrics, { TotalHosts: 2, OnlineHosts: 2, OfflineHosts: 0, MissingInActionHosts: 0, NewHosts: 2 });
  return r.body.campaign.id;
}

// Collects messages until `finished`; checks every type and the results.
function collect(onMessageSetter, send, id) {
  return new Promise((resolve, reject) => {
    const seen = { totals: [], status: [], result: [], other: [] };
    const timer = setTimeout(() => reject(new Error('no finished status: ' + JSON.stringify(seen))), 15000);
    onMessageSetter((msg) => {
      (seen[msg.type] ?? seen.other).push(msg);
      if (msg.type === 'status' && msg.data.status === 'finished' && seen.result.length === 2) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
    send({ type: 'auth', data: { token } });
    send({ type: 'select_campaign', data: { campaign_id: id } });
  });
}

function checkResults(seen, id, rowsFor = oneRow) {
  assert.deepEqual(seen.totals[0].data, { count: 2, online: 2, offline: 0, missing_in_action: 0 });
  assert.deepEqual(seen.status[0].data, { expected_results: 2, actual_results: 0, status: 'pending' });
  assert.equal(seen.other.length, 0, JSON.stringify(seen.other));
  const hosts = seen.result.map((r) => r.data.host.hostname).sort();
  assert.deepEqual(hosts, ['node-a', 'node-b']); // each once, none missing
  for (const r of seen.result) {
    assert.equal(r.data.distributed_query_execution_id, id);
    assert.equal(r.data.error, null);
    // exactly what the agent sent, plus host_hostname
    assert.deepEqual(r.data.rows, rowsFor(r.data.host.hostname).map((row) => ({ ...row, host_hostname: r.data.host.hostname })));
  }
}

test('fleetctl-style: run_by_names, raw WebSocket, a result from every host, finished', async () => {
  const id = await newCampaign();
  const ws = new WebSocket(base.replace('http', 'ws') + '/api/v1/fleet/results/websocket');
  await new Promise((res, rej) => { ws.on('open', res); ws.on('error', rej); });
  const done = collect((fn) => ws.on('message', (d) => fn(JSON.parse(d.toString()))),
    (m) => ws.send(JSON.stringify(m)), id);
  await new Promise((r) => setTimeout(r, 200));
  for (const a of agents) await a.checkIn();
  const seen = await done;
  checkResults(seen, id);
  const closed = new Promise((res) => ws.on('close', (code) => res(code)));
  ws.close(1000);
  assert.equal(await closed, 1000);
});

// A campaign watched through sockjs-client restricted to one transport.
async function sockjsFlow(transport, rowsFor = oneRow) {
  const id = await newCampaign();
  const sock = new SockJS(base + '/api/v1/fleet/results', null, { transports: [transport] });
  await new Promise((res, rej) => { sock.onopen = res; sock.onerror = rej; });
  assert.equal(sock.transport, transport);
  const done = collect((fn) => { sock.onmessage = (e) => fn(JSON.parse(e.data)); },
    (m) => sock.send(JSON.stringify(m)), id);
  await new Promise((r) => setTimeout(r, 300));
  for (const a of agents) await a.checkIn(rowsFor);
  checkResults(await done, id, rowsFor);
  sock.close();
}

test('UI-style: SockJS websocket transport through /info', () => sockjsFlow('websocket'));

test('UI fallback: SockJS xhr-polling transport with xhr_send', () => sockjsFlow('xhr-polling'));

test('UI fallback: SockJS xhr-streaming transport, results past one response\'s limit',
  () => sockjsFlow('xhr-streaming', bigRows));

test('xhr_streaming framing: prelude, open, messages, and the 2010 answer to a second receiver', async () => {
  const url = base + '/api/v1/fleet/results/000/framing' + process.pid + '/xhr_streaming';
  const first = await fetch(url, { method: 'POST' });
  assert.equal(first.status, 200);
  assert.match(first.headers.get('content-type'), /^application\/javascript/);
  const reader = first.body.getReader();
  let text = '';
  while (!text.includes('o\n')) text += new TextDecoder().decode((await reader.read()).value);
  assert.equal(text, 'h'.repeat(2048) + '\n' + 'o\n');
  const second = await (await fetch(url, { method: 'POST' })).text();
  assert.equal(second, 'h'.repeat(2048) + '\n' + 'c[2010,"Another connection still open"]\n');
  const sent = await fetch(url.replace('xhr_streaming', 'xhr_send'), {
    method: 'POST', body: JSON.stringify([JSON.stringify({ type: 'auth', data: { token: 'nope' } })]),
  });
  assert.equal(sent.status, 204);
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    rest += new TextDecoder().decode(value);
  }
  assert.equal(rest, 'a["{\\"type\\":\\"error\\",\\"data\\":\\"unauthorized\\"}"]\nc[3000,"Go away!"]\n');
});

test('the raw endpoint reports a bad token and closes with 1000', async () => {
  const ws = new WebSocket(base.replace('http', 'ws') + '/api/v1/fleet/results/websocket');
  await new Promise((res) => ws.on('open', res));
  const got = new Promise((res) => ws.on('message', (d) => res(JSON.parse(d.toString()))));
  const closed = new Promise((res) => ws.on('close', (code) => res(code)));
  ws.send(JSON.stringify({ type: 'auth', data: { token: 'nope' } }));
  assert.deepEqual(await got, { type: 'error', data: 'unauthorized' });
  assert.equal(await closed, 1000);
});
