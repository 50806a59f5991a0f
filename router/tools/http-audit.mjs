// GraphQL-over-HTTP conformance: runs graphql-http's server audits against each URL given and
// prints one JSON object: {url: {MUST: {ok, failed}, SHOULD: {...}, MAY: {...}, failures: [...]}}.
// A failure lists the audit's id, name and reason, for MUST and SHOULD audits only (MAY audits
// are counted; several are GET requests, which the CSRF rules refuse on purpose).
//
// Usage (from router/): node tools/http-audit.mjs http://127.0.0.1:4001/graphql [...]
import { auditServer } from 'graphql-http';

const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error('usage: node tools/http-audit.mjs <graphql url> [...]');
  process.exit(2);
}

const report = {};
for (const url of urls) {
  const results = await auditServer({ url });
  const entry = { failures: [] };
  for (const level of ['MUST', 'SHOULD', 'MAY']) entry[level] = { ok: 0, failed: 0 };
  for (const result of results) {
    const level = result.name.split(' ', 1)[0];
    const counts = entry[level];
    if (result.status === 'ok') {
      counts.ok += 1;
      continue;
    }
    counts.failed += 1;
    if (level !== 'MAY') {
      entry.failures.push({ id: result.id, name: result.name, reason: result.reason });
    }
  }
  report[url] = entry;
}
console.log(JSON.stringify(report, null, 2));
