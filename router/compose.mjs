// Compose a Federation 2 supergraph with @apollo/composition (the library rover runs).
//
// stdin:  JSON [{"name": "users", "url": "http://localhost:4001/graphql", "sdl": "..."}]
// stdout: the supergraph SDL, on success only.
// stderr: one readable line per error or hint. Exit 1 on any error OR hint (hints are
//         treated as failures so that drift between subgraphs is caught early), 2 on bad input.
import { readFileSync } from 'node:fs';
import composition from '@apollo/composition';
import { parse } from 'graphql';

const { composeServices } = composition;

function fail(code, lines) {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(code);
}

function readServices() {
  let input;
  try {
    input = JSON.parse(readFileSync(0, 'utf8'));
  } catch (err) {
    fail(2, [`compose: stdin is not JSON: ${err.message}`]);
  }
  if (!Array.isArray(input) || input.length === 0) {
    fail(2, ['compose: expected a non-empty JSON array of {name, url, sdl}']);
  }
  const parseErrors = [];
  const services = input.map(({ name, url, sdl }) => {
    if (typeof name !== 'string' || typeof url !== 'string' || typeof sdl !== 'string') {
      fail(2, [`compose: each subgraph needs string name, url and sdl (got ${JSON.stringify(name)})`]);
    }
    try {
      return { name, url, typeDefs: parse(sdl) };
    } catch (err) {
      parseErrors.push(`error [INVALID_GRAPHQL] ${name}: ${err.message}`);
      return null;
    }
  });
  if (parseErrors.length > 0) fail(1, parseErrors);
  return services;
}

function oneLine(text) {
  return String(text).replace(/\s*\n\s*/g, ' ');
}

const result = composeServices(readServices());
if (result.errors) {
  fail(
    1,
    result.errors.map((e) => `error [${e.extensions?.code ?? 'COMPOSITION_ERROR'}] ${oneLine(e.message)}`),
  );
}
if (result.hints.length > 0) {
  fail(
    1,
    result.hints.map((h) => `hint [${h.definition.code}] ${oneLine(h.message)}`),
  );
}
process.stdout.write(result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`);
