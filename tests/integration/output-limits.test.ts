/**
 * Every way a program writes output, in every language and mode (trace, benchmark, test), ends `output_limit` at
 * TRACECAST_OUTPUT_BYTES with the part under the cap delivered, never `internal_error` or an error of the tracer's
 * own; Python's sys.stdout.buffer / sys.stderr.buffer decode bytes as UTF-8 with U+FFFD and keep a character split
 * across two writes whole. The cap and the frame cap are both 1 MiB (the defaults): the cut must happen before a
 * write becomes a frame.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerFrame } from '../../protocol/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { TestClient } from '../support/ws-client.ts';

const CAP = 1024 * 1024;
const MEMORY_MB = 128;
// Generous: no assertion here is about speed (2 shared cores; C++ compiles first).
const RUN_MS = 240_000;

type Language = 'python' | 'javascript' | 'cpp';
type Ended = Extract<ServerFrame, { type: 'run.ended' }>;
interface Run {
  ended: Ended;
  /** The output frames' streams and texts, adjacent ones of the same stream joined. */
  chunks: Array<[string, string]>;
}

/** The longest prefix of `s` that is at most `bytes` of UTF-8, cut on a character boundary. */
function utf8Prefix(s: string, bytes: number): string {
  const b = Buffer.from(s, 'utf8');
  let n = Math.min(bytes, b.length);
  while (n > 0 && n < b.length && (b[n] & 0xc0) === 0x80) n--;
  return b.subarray(0, n).toString('utf8');
}

/** At least CAP bytes of `line(0) + line(1) + ...`: what a program printing those lines forever shows before the cap. */
function lines(line: (i: number) => string, head = ''): string {
  const parts = [head];
  let n = Buffer.byteLength(head);
  for (let i = 0; n <= CAP; i++) {
    const l = line(i);
    parts.push(l);
    n += Buffer.byteLength(l);
  }
  return utf8Prefix(parts.join(''), CAP);
}

const text = (r: Run, stream?: string) => r.chunks.filter(([s]) => stream === undefined || s === stream).map(([, t]) => t).join('');

describe('output limits: every output path ends output_limit at the cap', () => {
  let server: TestServer;
  let client: TestClient;
  before(async () => {
    server = await startTestServer({
      env: {
        TRACECAST_OUTPUT_BYTES: String(CAP),
        TRACECAST_MAX_FRAME_BYTES: String(CAP),
        TRACECAST_MEMORY_MB: String(MEMORY_MB),
        TRACECAST_TIMEOUT_MS: '120000',
      },
    });
    client = await TestClient.connect(server.url);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  async function run(language: Language, code: string, extra: Record<string, unknown> = {}): Promise<Run> {
    const { ended, frames } = await client.execute(language, code, extra, RUN_MS);
    const chunks: Array<[string, string]> = [];
    for (const f of frames) {
      if (f.type !== 'output') continue;
      const last = chunks[chunks.length - 1];
      if (last && last[0] === f.stream) last[1] += f.text;
      else chunks.push([f.stream, f.text]);
    }
    return { ended, chunks };
  }

  /** The run ended output_limit with exactly `expected` (CAP bytes or just under, on a character boundary) on `stream`. */
  function assertCut(r: Run, expected: string, stream: 'stdout' | 'stderr') {
    assert.equal(r.ended.verdict, 'output_limit', JSON.stringify(r.ended));
    assert.equal(r.ended.error?.type, 'OutputLimit');
    const got = text(r);
    assert.ok(Buffer.byteLength(got) <= CAP && Buffer.byteLength(got) > CAP - 4, `delivered ${Buffer.byteLength(got)} bytes`);
    assert.equal(text(r, stream), got, `everything on ${stream}: ${JSON.stringify(r.chunks.map(([s, t]) => [s, t.length]))}`);
    // assert.equal on two 1 MiB strings would print both; say where they part instead
    if (got !== expected) {
      let k = 0;
      while (k < got.length && got[k] === expected[k]) k++;
      assert.fail(`output differs at ${k} of ${got.length}/${expected.length}: got ${JSON.stringify(got.slice(k, k + 20))}, expected ${JSON.stringify(expected.slice(k, k + 20))}`);
    }
  }

  const A = 'a'.repeat(CAP);
  // the small writes' filler: ~15,000 of them fill the cap (each is a frame of its own in trace mode: 150,000 took 15-20 s)
  const X = 'x'.repeat(64);
  // A budget that no loaded machine spends before the cap (a call it interrupts ends the benchmark `ok`).
  const withBench = { type: 'benchmark', entry: 'f', generator: { builtin: 'random_ints', seed: 1 }, sizes: [10], repeats: 1, budgetMs: 100_000 };
  const withTest = { type: 'test', problem: 'two_sum' };

  describe('python', () => {
    const flood = (expr: string, stream: 'stdout' | 'stderr', expected = A) => ({ expr, stream, expected });
    const paths: Array<[string, { expr: string; stream: 'stdout' | 'stderr'; expected: string }]> = [
      ['print of one 50 MB string', flood('print("a" * (50 << 20))', 'stdout')],
      ['sys.stdout.write of one 50 MB string', flood('sys.stdout.write("a" * (50 << 20))', 'stdout')],
      ['sys.stderr.write of one 50 MB string', flood('sys.stderr.write("a" * (50 << 20))', 'stderr')],
      ['sys.stdout.buffer.write of 50 MB of bytes', flood('sys.stdout.buffer.write(b"a" * (50 << 20))', 'stdout')],
      ['sys.stderr.buffer.write of 50 MB of bytes', flood('sys.stderr.buffer.write(b"a" * (50 << 20))', 'stderr')],
      ['sys.stdout.buffer.write of 50 MB of bytes that are not UTF-8', flood('sys.stdout.buffer.write(b"\\xff" * (50 << 20))', 'stdout', utf8Prefix('\uFFFD'.repeat(CAP), CAP))],
      ['os.write(1) of 50 MB (the container\'s stderr)', flood('os.write(1, b"a" * (50 << 20))', 'stderr')],
      ['os.write(2) of 50 MB', flood('os.write(2, b"a" * (50 << 20))', 'stderr')],
      ['print of many small lines', flood('print("start")\nfor i in range(10 ** 6):\n    print(i, X)', 'stdout', lines((i) => `${i} ${X}\n`, 'start\n'))],
      ['print to stderr, many small lines', flood('for i in range(10 ** 6):\n    print(i, X, file=sys.stderr)', 'stderr', lines((i) => `${i} ${X}\n`))],
      ['sys.stdout.writelines of many lines', flood('sys.stdout.writelines("%d %s\\n" % (i, X) for i in range(10 ** 6))', 'stdout', lines((i) => `${i} ${X}\n`))],
      ['sys.stdout.buffer.writelines of many lines', flood('sys.stdout.buffer.writelines(b"%d %s\\n" % (i, BX) for i in range(10 ** 6))', 'stdout', lines((i) => `${i} ${X}\n`))],
      ['sys.stdout.buffer.write, many small writes', flood('for i in range(10 ** 6):\n    sys.stdout.buffer.write(b"%d %s," % (i, BX))', 'stdout', lines((i) => `${i} ${X},`))],
      // 1 + 4k bytes: the cap falls inside a character, which is left out whole
      ['print whose cap falls inside a 4-byte character', flood('print("x" + "\\U0001F600" * 300000)', 'stdout', utf8Prefix('x' + '\u{1F600}'.repeat(300000), CAP))],
    ];
    for (const [name, { expr, stream, expected }] of paths) {
      it(`trace: ${name}`, async () => {
        const r = await run('python', `import os, sys\nX = "${X}"\nBX = X.encode()\n${expr}\n`);
        assertCut(r, expected, stream);
      });
    }

    it('trace: a 50 MB print costs no copy of the string beyond the program\'s own', async (t) => {
      const r = await run('python', 'print("a" * (50 << 20))\n');
      assertCut(r, A, 'stdout');
      t.diagnostic(`peak ${r.ended.peakMemKb} kB`);
      // the string is 50 MB and the tracer ~19 MB; before: ~122 MB (the string encoded whole, then cut)
      assert.ok(r.ended.peakMemKb !== null && r.ended.peakMemKb < 90_000, `peak ${r.ended.peakMemKb} kB`);
    });

    it('trace: buffer.write takes bytes-like objects, returns the byte count, decodes with U+FFFD and keeps split characters whole', async () => {
      const code = [
        'import sys',
        'out = sys.stdout.buffer',
        'n1 = out.write(b"bad:\\xff\\xfe:")',
        'n2 = out.write(bytearray(b"euro:\\xe2\\x82"))',
        'n3 = out.write(memoryview(b"\\xac:end\\n"))',
        'out.writelines([b"w1 ", b"w2\\n"])',
        'out.flush()',
        'sys.stderr.buffer.write(b"err:\\xc3")',
        'sys.stderr.buffer.write(b"\\xa9\\n")',
        'try:',
        '    out.write("text")',
        'except TypeError as e:',
        '    print("TypeError:", e)',
        'print(n1, n2, n3, out.writable(), sys.stderr.buffer.write(b""))',
        'out.write(b"cut:\\xe2\\x82")',
        'print("after")',
        'out.write(b"last:\\xf0\\x9f")',
        '',
      ].join('\n');
      const r = await run('python', code);
      assert.equal(r.ended.verdict, 'ok', JSON.stringify(r.ended));
      assert.equal(
        text(r, 'stdout'),
        "bad:\uFFFD\uFFFD:euro:\u20AC:end\nw1 w2\nTypeError: a bytes-like object is required, not 'str'\n7 7 6 True 0\ncut:\uFFFDafter\nlast:\uFFFD",
      );
      assert.equal(text(r, 'stderr'), 'err:\u00E9\n');
    });

    it('trace: stdout and stderr, text and bytes, arrive in the order written', async () => {
      const code = 'import sys\nsys.stdout.write("1")\nsys.stderr.buffer.write(b"2")\nsys.stdout.buffer.write(b"3")\nprint("4", file=sys.stderr)\nprint("5")\n';
      const r = await run('python', code);
      assert.equal(r.ended.verdict, 'ok', JSON.stringify(r.ended));
      assert.deepEqual(r.chunks, [['stdout', '1'], ['stderr', '2'], ['stdout', '3'], ['stderr', '4\n'], ['stdout', '5\n']]);
    });

    for (const [mode, extra, def] of [
      ['benchmark', withBench, 'def f(xs):\n'],
      ['test', withTest, 'def two_sum(nums, target):\n'],
    ] as const) {
      it(`${mode}: print of one 50 MB string at module level`, async () => {
        assertCut(await run('python', `print("a" * (50 << 20))\n${def}    return 0\n`, extra), A, 'stdout');
      });
      it(`${mode}: sys.stdout.buffer.write of 50 MB of bytes in the function`, async () => {
        assertCut(await run('python', `import sys\n${def}    sys.stdout.buffer.write(b"a" * (50 << 20))\n    return 0\n`, extra), A, 'stdout');
      });
      it(`${mode}: sys.stderr.write of one 50 MB string in the function`, async () => {
        assertCut(await run('python', `import sys\n${def}    sys.stderr.write("a" * (50 << 20))\n    return 0\n`, extra), A, 'stderr');
      });
      // The count goes on from call to call: a case that runs past its time limit leaves the rest to the next one.
      it(`${mode}: many small prints in the function`, async () => {
        const r = await run('python', `import itertools\nK = itertools.count()\nX = "${X}"\n${def}    for i in K:\n        print(i, X)\n`, extra);
        assertCut(r, lines((i) => `${i} ${X}\n`), 'stdout');
      });
      it(`${mode}: buffer.write decodes with U+FFFD and keeps split characters whole`, async () => {
        const r = await run('python', `import sys\nsys.stdout.buffer.write(b"bad:\\xff:\\xe2\\x82")\nsys.stdout.buffer.write(b"\\xac\\n")\n${def}    return 0\n`, extra);
        assert.equal(r.ended.verdict, 'ok', JSON.stringify(r.ended));
        assert.equal(text(r, 'stdout'), 'bad:\uFFFD:\u20AC\n');
      });
    }
  });

  describe('javascript', () => {
    const paths: Array<[string, string, 'stdout' | 'stderr', string]> = [
      ['console.log of one 50 MB string', "console.log('a'.repeat(50 * 1024 * 1024));", 'stdout', A],
      ['console.error of one 50 MB string', "console.error('a'.repeat(50 * 1024 * 1024));", 'stderr', A],
      ['console.log of a 50 MB string built by join (flat)', "console.log(new Array(50 * 1024 * 1024 + 1).join('a'));", 'stdout', A],
      ['console.log of two arguments, the second 50 MB', "console.log('x', 'a'.repeat(50 * 1024 * 1024));", 'stdout', utf8Prefix('x ' + A, CAP)],
      ['console.log of many small lines', `console.log('start');\nfor (let i = 0; i < 1e6; i++) console.log(i, '${X}');`, 'stdout', lines((i) => `${i} ${X}\n`, 'start\n')],
      ['console.error of many small lines', `for (let i = 0; i < 1e6; i++) console.error(i, '${X}');`, 'stderr', lines((i) => `${i} ${X}\n`)],
      ['console.log whose cap falls inside a surrogate pair', "console.log('x' + '\\u{1F600}'.repeat(300000));", 'stdout', utf8Prefix('x' + '\u{1F600}'.repeat(300000), CAP)],
      ['console.log of 2 M control characters (6 bytes of JSON each)', "console.log('\\u0001'.repeat(2e6));", 'stdout', '\u0001'.repeat(CAP)],
    ];
    for (const [name, code, stream, expected] of paths) {
      it(`trace: ${name}`, async () => {
        assertCut(await run('javascript', code), expected, stream);
      });
    }

    it('trace: a 50 MB console.log stays under the memory limit', async (t) => {
      const r = await run('javascript', "console.log('a'.repeat(50 * 1024 * 1024));");
      assertCut(r, A, 'stdout');
      t.diagnostic(`peak ${r.ended.peakMemKb} kB`);
      // V8 flattens the 'a'.repeat rope once when it is read (+50 MB); before: 165-172 MB (flattened, checked, and
      // encoded whole, then a frame over 1 MiB refused)
      assert.ok(r.ended.peakMemKb !== null && r.ended.peakMemKb < MEMORY_MB * 1024, `peak ${r.ended.peakMemKb} kB`);
    });

    it('trace: lone surrogates arrive as U+FFFD; the program has no process (no process.stdout)', async () => {
      const r = await run('javascript', "console.log('a\\ud800b');\nconsole.error('\\udc00');\nconsole.log(typeof process);");
      assert.equal(r.ended.verdict, 'ok', JSON.stringify(r.ended));
      assert.deepEqual(r.chunks, [['stdout', 'a\uFFFDb\n'], ['stderr', '\uFFFD\n'], ['stdout', 'undefined\n']]);
    });

    for (const [mode, extra, head] of [
      ['benchmark', withBench, 'function f(xs) {'],
      ['test', withTest, 'function twoSum(nums, target) {'],
    ] as const) {
      it(`${mode}: console.log of one 50 MB string at top level`, async () => {
        assertCut(await run('javascript', `console.log('a'.repeat(50 * 1024 * 1024));\n${head} return 0; }\n`, extra), A, 'stdout');
      });
      it(`${mode}: console.error of one 50 MB string in the function`, async () => {
        assertCut(await run('javascript', `${head} console.error('a'.repeat(50 * 1024 * 1024)); return 0; }\n`, extra), A, 'stderr');
      });
      // The count goes on from call to call: a case that runs past its time limit leaves the rest to the next one.
      it(`${mode}: many small console.log lines in the function`, async () => {
        const r = await run('javascript', `let k = 0;\nconst X = '${X}';\n${head} for (;;) console.log(k++, X); }\n`, extra);
        assertCut(r, lines((i) => `${i} ${X}\n`), 'stdout');
      });
      it(`${mode}: a cap inside a surrogate pair leaves the character out whole`, async () => {
        const r = await run('javascript', `${head} console.log('x' + '\\u{1F600}'.repeat(300000)); return 0; }\n`, extra);
        assertCut(r, utf8Prefix('x' + '\u{1F600}'.repeat(300000), CAP), 'stdout');
      });
    }
  });

  describe('cpp', () => {
    it('printf flood (many small writes)', async () => {
      const r = await run('cpp', '#include <cstdio>\nint main() { for (long i = 0;; ++i) std::printf("line %ld\\n", i); }\n');
      assertCut(r, lines((i) => `line ${i}\n`), 'stdout');
    });
    it('cout flood', async () => {
      const r = await run('cpp', "#include <iostream>\nint main() { for (long i = 0;; ++i) std::cout << i << '\\n'; }\n");
      assertCut(r, lines((i) => `${i}\n`), 'stdout');
    });
    it('one 50 MB write to stderr', async () => {
      const r = await run('cpp', '#include <cstdio>\n#include <string>\nint main() { std::string s(50u << 20, \'a\'); std::fwrite(s.data(), 1, s.size(), stderr); }\n');
      assertCut(r, A, 'stderr');
    });
    it('bytes that are not UTF-8 arrive as U+FFFD; a character split across two writes arrives whole', async () => {
      const code = [
        '#include <cstdio>',
        '#include <unistd.h>',
        'int main() {',
        '  std::fputs("bad:\\xff:euro:\\xe2\\x82", stdout);',
        '  std::fflush(stdout);',
        '  usleep(200000);',
        '  std::fputs("\\xac:end\\n", stdout);',
        '}',
        '',
      ].join('\n');
      const r = await run('cpp', code);
      assert.equal(r.ended.verdict, 'ok', JSON.stringify(r.ended));
      assert.equal(text(r, 'stdout'), 'bad:\uFFFD:euro:\u20AC:end\n');
    });
  });
});
