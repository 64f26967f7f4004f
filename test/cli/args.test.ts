/** The one FILE-plus-options parser that `simulate`, `lint`, `status` and `import` share. */
import { describe, expect, it } from 'vitest';
import { parseFileArgs } from '../../packages/cli/src/args.js';

const spec = { flags: ['--json'], values: { '--out': { aliases: ['-o'], missing: 'needs a file' } } };

function run(argv: string[]) {
  let out = '';
  let err = '';
  const r = parseFileArgs('x', argv, spec, 'USAGE\n', {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
  });
  return { r, out, err };
}

describe('parseFileArgs', () => {
  it.each([
    [['f'], { file: 'f', flags: [], values: {} }],
    [['--json', 'f'], { file: 'f', flags: ['--json'], values: {} }],
    [['f', '--out', 'o.yaml'], { file: 'f', flags: [], values: { '--out': 'o.yaml' } }],
    [['-o', 'o.yaml', 'f'], { file: 'f', flags: [], values: { '--out': 'o.yaml' } }],
    [['--out=', 'f'], { file: 'f', flags: [], values: { '--out': '' } }],
  ])('%j parses', (argv, want) => {
    const { r, err } = run(argv);
    expect(err).toBe('');
    expect(r.ok && { file: r.file, flags: [...r.flags], values: r.values }).toEqual(want);
  });

  it.each([
    [[], 'quorate x: missing FILE'],
    [['a', 'b'], 'quorate x: one file only'],
    [['--bogus', 'f'], "quorate x: unknown option '--bogus'"],
    [['f', '-o'], 'quorate x: -o needs a file'],
  ])('%j is a usage error', (argv, message) => {
    const { r, err } = run(argv);
    expect(r).toEqual({ ok: false, code: 2 });
    expect(err).toBe(`${message}\nUSAGE\n`);
  });

  it('prints the usage for --help and exits 0', () => {
    const { r, out } = run(['--help']);
    expect(r).toEqual({ ok: false, code: 0 });
    expect(out).toBe('USAGE\n');
  });
});
