/**
 * `quorate schema`: the JSON Schema of the cluster document: its top-level keys, strictness,
 * enums and duration fields as the zod schema defines them; usage errors.
 */
import { describe, expect, it } from 'vitest';
import { quorate } from './run-quorate.js';

type Json = Record<string, unknown>;

describe('quorate schema', () => {
  it('prints one JSON Schema (draft 2020-12) object on stdout, exit 0', async () => {
    const r = await quorate('schema');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const s = JSON.parse(r.out) as Json;
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.type).toBe('object');
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(['nodes']);
    expect(Object.keys(s.properties as Json).sort()).toEqual(
      ['configVersion', 'constraints', 'fencing', 'name', 'nodes', 'options', 'quorum', 'resources'].sort(),
    );
  });

  it('describes the options and fence devices as a person writes them (durations, enums)', async () => {
    const s = JSON.parse((await quorate('schema')).out) as Json;
    const props = s.properties as Record<string, Json>;
    const options = props.options as Json;
    const o = options.properties as Record<string, Json>;
    expect(o.noQuorumPolicy?.enum).toEqual(['stop', 'freeze', 'ignore', 'demote', 'suicide']);
    expect(o.fenceAction?.enum).toEqual(['reboot', 'off']);
    expect(JSON.stringify(o.tokenTimeout)).toMatch(/"string"/);
    expect(JSON.stringify(o.tokenTimeout)).toMatch(/"number"/);
    const fencing = props.fencing as Json;
    const devices = (fencing.properties as Record<string, Json>).devices as Json;
    const device = devices.items as Json;
    expect(device.required).toEqual(['name', 'agent']);
    expect(((device.properties as Record<string, Json>).agent as Json).pattern).toContain('exec:');
  });

  it('takes no arguments: anything else is a usage error with nothing on stdout', async () => {
    const r = await quorate('schema', '--yaml');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("unexpected argument '--yaml'");
    const h = await quorate('schema', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^usage: quorate schema/);
  });
});
