/**
 * /api/openapi.json against the API: every route of rest.ts's table documented and nothing else, and real answers of a
 * server (after a graded run) matching the documented schemas (strict: an undocumented field fails).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod/v4';
import { API_OPERATIONS, API_SCHEMAS, openApiDocument } from '../../server/api/openapi.ts';
import { createApi } from '../../server/api/rest.ts';
import type { Store } from '../../server/store/store.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const doc = openApiDocument() as { openapi: string; paths: Record<string, { get: { parameters: { name: string }[]; responses: Record<string, { content: Record<string, { schema: { $ref?: string; items?: { $ref: string } } }> }> } }>; components: { schemas: Record<string, unknown> } };

describe('the OpenAPI document', () => {
  it('documents exactly the routes of the API\'s table, each path parameter declared', () => {
    const api = createApi({ store: {} as Store, problems: new Map() });
    assert.deepEqual([...api.paths].sort(), Object.keys(doc.paths).sort());
    assert.deepEqual(Object.keys(API_OPERATIONS).sort(), Object.keys(doc.paths).sort());
    for (const [path, item] of Object.entries(doc.paths)) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(item.get.parameters.map((p) => p.name).sort(), inTemplate, path);
      for (const res of Object.values(item.get.responses)) {
        const schema = res.content['application/json'].schema;
        const target = schema.$ref ?? schema.items?.$ref;
        if (target) assert.ok(target.replace('#/components/schemas/', '') in doc.components.schemas, `${path}: ${target}`);
      }
    }
    assert.equal(doc.openapi, '3.1.0');
  });

  describe('against a server', { timeout: 5 * 60_000 }, () => {
    let server: TestServer;
    let base: string;
    let run: string;
    let session: string;
    before(async () => {
      server = await startTestServer();
      base = `http://127.0.0.1:${server.port}`;
      // A graded run, so that stats, the leaderboard and a summary with `test` have something to show.
      const client = await TestClient.connect(server.url);
      client.send({ type: 'test', id: 't', language: 'python', problem: 'two_sum', code: readFileSync('problems/solutions/two_sum.py', 'utf8') });
      const accepted = await client.waitFor((f) => f.type === 'accepted' || f.type === 'error');
      assert.equal(accepted.type, 'accepted', JSON.stringify(accepted));
      if (accepted.type !== 'accepted') return;
      ({ run, session } = accepted);
      const ended = await client.waitFor((f) => f.type === 'run.ended');
      assert.equal(ended.type === 'run.ended' && ended.verdict, 'ok');
      // The record is written right after run.ended.
      for (let i = 0; i < 100 && (await fetch(`${base}/api/runs/${run}`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
      client.close();
    });
    after(() => server?.close());

    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, body: (await res.json()) as unknown };
    };

    it('answers every documented route with its documented shape', async () => {
      const { ProblemListItem, PublicProblem, ProblemStats, Leaderboard, RunSummary, ApiError } = API_SCHEMAS;
      const checks: [string, z.ZodType][] = [
        ['/api/problems', z.array(ProblemListItem)],
        ['/api/problems/two_sum', PublicProblem],
        ['/api/problems/two_sum/stats', ProblemStats],
        ['/api/problems/two_sum/leaderboard', Leaderboard],
        [`/api/runs/${run}`, RunSummary],
        [`/api/sessions/${session}/runs`, z.array(RunSummary)],
      ];
      for (const [path, schema] of checks) {
        const { status, body } = await get(path);
        assert.equal(status, 200, path);
        const parsed = schema.safeParse(body);
        assert.ok(parsed.success, `${path}: ${parsed.error?.message}`);
      }
      const summary = RunSummary.parse((await get(`/api/runs/${run}`)).body);
      assert.deepEqual(summary.test && summary.test.passed === summary.test.total, true, 'the graded run shows its test result');
      assert.equal(Leaderboard.parse((await get('/api/problems/two_sum/leaderboard')).body).entries.length, 1);
      for (const missing of ['/api/problems/nope', '/api/runs/nope', '/api/nope']) {
        const { status, body } = await get(missing);
        assert.equal(status, 404, missing);
        assert.ok(ApiError.safeParse(body).success, missing);
      }
      const served = await get('/api/openapi.json');
      assert.equal(served.status, 200);
      assert.deepEqual(served.body, JSON.parse(JSON.stringify(doc)));
    });
  });
});
