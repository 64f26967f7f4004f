import { readFileSync } from 'node:fs';
import { ConfigError } from '@quorate/core';

/**
 * Where a secret (BMC password, SNMP key) comes from. Exactly one of the three is used, in this
 * order: `password` (given by the host in memory), `passwordEnv` (name of an environment
 * variable), `passwordFile` (a file whose first line, without its newline, is the secret).
 */
export interface SecretSource {
  password?: string | undefined;
  passwordEnv?: string | undefined;
  passwordFile?: string | undefined;
}

/**
 * Resolves a secret once, at adapter creation. Throws `ConfigError` naming the variable or file
 * (never the value) when it is missing; returns `undefined` when no source is given.
 */
export function resolveSecret(src: SecretSource, what = 'password'): string | undefined {
  if (src.password !== undefined) return src.password;
  if (src.passwordEnv !== undefined) {
    const v = process.env[src.passwordEnv];
    if (v === undefined) {
      throw new ConfigError(`${what}: environment variable '${src.passwordEnv}' is not set`, [
        { path: ['passwordEnv'], message: `environment variable '${src.passwordEnv}' is not set` },
      ]);
    }
    return v;
  }
  if (src.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(src.passwordFile, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `${what}: cannot read password file '${src.passwordFile}'`,
        [{ path: ['passwordFile'], message: `cannot read '${src.passwordFile}'` }],
        { cause: err },
      );
    }
    return text.split(/\r?\n/, 1)[0] ?? '';
  }
  return undefined;
}

/** Replaces every occurrence of the given secrets in `text` with `***` (for agent output in logs). */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
