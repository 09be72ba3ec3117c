// Operations against the real server: health, Prometheus metrics, the OpenAPI document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL } from './lib.mjs';

test('healthz answers ok', async () => {
  const r = await fetch(`${BASE_URL}/healthz`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'ok');
});

test('metrics are in Prometheus text format and count requests by route', async () => {
  await fetch(`${BASE_URL}/`);
  const r = await fetch(`${BASE_URL}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/plain/);
  const body = await r.text();
  assert.match(body, /# TYPE tongban_http_requests_total counter/);
  assert.match(body, /tongban_http_requests_total\{method="GET",route="\/",status="200"\} \d+/);
});

test('the OpenAPI document is served and names the API', async () => {
  const r = await fetch(`${BASE_URL}/api/v1/openapi.json`);
  assert.equal(r.status, 200);
  const doc = await r.json();
  assert.match(doc.openapi, /^3\./);
  assert.ok(doc.paths['/api/v1/session'].post, 'sign-in is documented');
  assert.ok(doc.paths['/api/v1/calendar/due'].get, 'the calendar is documented');
});

test('a cross-site form post is refused before it reaches a handler', async () => {
  const r = await fetch(`${BASE_URL}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    body: 'login=admin&password=x',
  });
  assert.equal(r.status, 403);
});
