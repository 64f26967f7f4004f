/** `quorate` itself: the usage text names every command, unknown commands are usage errors. */
import { describe, expect, it } from 'vitest';
import { quorate } from './run-quorate.js';

const COMMANDS = ['simulate', 'policy', 'fence', 'lint', 'import', 'schema', 'status'];

describe('quorate', () => {
  it('--help lists every command, exit 0; no command at all prints it too, exit 2', async () => {
    const h = await quorate('--help');
    expect(h.code).toBe(0);
    for (const c of COMMANDS) expect(h.out).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    const none = await quorate();
    expect(none.code).toBe(2);
    expect(none.out).toBe(h.out);
  });

  it('an unknown command is a usage error: exit 2, message and usage on stderr, nothing on stdout', async () => {
    const r = await quorate('frobnicate');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toMatch(/^quorate: unknown command 'frobnicate'\nusage: quorate <command>/);
  });

  it.each(COMMANDS.filter((c) => c !== 'fence'))(
    '%s --help prints its own usage on stdout, exit 0',
    async (c) => {
      const r = await quorate(c, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^usage: quorate ${c}\\b`));
      expect(r.err).toBe('');
    },
  );

  it('fence --help prints its usage too', async () => {
    const r = await quorate('fence', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: quorate fence/);
  });
});
