// Load test for orders-api. Run against staging only:
//   k6 run -e BASE_URL=https://orders.staging.api.example.com -e TOKEN=... loadtest/k6/orders.js
// The thresholds are the release criteria; k6 exits non-zero when one fails.
import http from 'k6/http';
import { check } from 'k6';

const BASE = __ENV.BASE_URL;
const HEADERS = { 'Content-Type': 'application/json', Authorization: `Bearer ${__ENV.TOKEN}` };

export const options = {
  scenarios: {
    // Steady peak: last Black Friday's peak (210 rps) plus 50% headroom.
    peak: { executor: 'constant-arrival-rate', rate: 320, timeUnit: '1s', duration: '15m', preAllocatedVUs: 200, maxVUs: 600 },
    // Stress: keep climbing past peak to find where the service degrades.
    stress: {
      executor: 'ramping-arrival-rate', startRate: 320, timeUnit: '1s', preAllocatedVUs: 400, maxVUs: 1500,
      startTime: '16m',
      stages: [{ target: 640, duration: '5m' }, { target: 960, duration: '5m' }, { target: 0, duration: '2m' }],
    },
  },
  thresholds: {
    'http_req_failed{scenario:peak}': ['rate<0.001'],
    'http_req_duration{scenario:peak}': ['p(95)<250', 'p(99)<500'],
    'checks{scenario:peak}': ['rate>0.999'],
  },
};

export default function () {
  const customer = `load-${__VU % 500}`;
  if (Math.random() < 0.3) {
    const body = JSON.stringify({
      customer_id: customer,
      currency: 'EUR',
      items: [{ sku: `SKU-${__ITER % 1000}`, quantity: 1 + (__ITER % 3), unit_price_cents: 1999 }],
    });
    const r = http.post(`${BASE}/v1/orders`, body, { headers: HEADERS, tags: { route: 'POST /v1/orders' } });
    check(r, { 'created': (res) => res.status === 201 });
  } else {
    const r = http.get(`${BASE}/v1/orders?customer_id=${customer}&limit=20`, { headers: HEADERS, tags: { route: 'GET /v1/orders' } });
    check(r, { 'listed': (res) => res.status === 200 });
  }
}
