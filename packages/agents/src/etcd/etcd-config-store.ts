import type { Ctx } from '@quorate/core';
import { ConfigError } from '@quorate/core';
import type { Etcd3, Watcher } from 'etcd3';
import { z } from 'zod';
import { createEtcdClient, type EtcdFailure, etcdCall, normalisePrefix } from './etcd-client.js';

/** Options of {@link createEtcdConfigStore}. */
export const etcdConfigStoreOptionsSchema = z
  .object({
    hosts: z.array(z.string().url()).min(1),
    /** Same prefix as the transport; the document lives at `<prefix>/config`. */
    prefix: z.string().min(1).regex(/^\//, 'must start with /'),
    callTimeoutMs: z.number().int().min(50).default(1000),
    dialTimeoutMs: z.number().int().min(50).default(1000),
  })
  .strict();

/** What a host passes to {@link createEtcdConfigStore}. */
export type EtcdConfigStoreOptions = z.input<typeof etcdConfigStoreOptionsSchema>;

/** A stored configuration document: any JSON object with a non-negative integer `configVersion`. */
export interface ConfigDocument {
  configVersion: number;
  [key: string]: unknown;
}

/** Outcome of {@link EtcdConfigStore.read}. `doc` is `null` when nothing was stored yet. */
export type ConfigReadOutcome =
  | { ok: true; doc: ConfigDocument | null; revision: string | null }
  | EtcdFailure
  | { ok: false; reason: 'invalid'; detail: string };

/**
 * Outcome of {@link EtcdConfigStore.compareAndSwap}:
 * - `ok: true`: stored; `revision` is etcd's mod revision of the key.
 * - `stale`: the store already holds `currentVersion` ≥ the document's; nothing written.
 * - `conflict`: other writers kept changing the key during every attempt; nothing written.
 * - `invalid`: the document has no valid `configVersion`, or the stored one is not a document.
 * - `unreachable` / `timeout` / `aborted` / `etcd-error`: as {@link EtcdFailure}; nothing known.
 */
export type ConfigSwapOutcome =
  | { ok: true; configVersion: number; revision: string }
  | { ok: false; reason: 'stale'; currentVersion: number; detail: string }
  | { ok: false; reason: 'conflict' | 'invalid'; detail: string }
  | EtcdFailure;

/** The configuration document in etcd, guarded by `configVersion`. */
export interface EtcdConfigStore {
  /** Reads the current document. Never rejects. */
  read(ctx: Ctx): Promise<ConfigReadOutcome>;
  /**
   * Stores `doc` only if its `configVersion` is higher than the stored one (or nothing is stored),
   * atomically (an etcd transaction on the key's mod revision), so two writers racing with the
   * same base version cannot both win: the later one gets `stale`. Never rejects.
   */
  compareAndSwap(doc: ConfigDocument, ctx: Ctx): Promise<ConfigSwapOutcome>;
  /**
   * Calls `cb` with every valid document written after subscription (a watch on the key; it
   * reconnects by itself). Invalid writes are skipped. Returns unsubscribe, whose `ready`
   * resolves once the watch is established (or could not be: it never rejects).
   */
  onChange(cb: (doc: ConfigDocument) => void): (() => void) & { ready: Promise<void> };
  /** Cancels watches and closes the connection. */
  close(): Promise<void>;
}

/**
 * Creates the etcd-backed config store (DESIGN §7: a node accepts only a higher `configVersion`;
 * here etcd makes that rule hold for writers too). Throws `ConfigError` on invalid options only.
 */
export function createEtcdConfigStore(options: EtcdConfigStoreOptions): EtcdConfigStore {
  const parsed = etcdConfigStoreOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      z.prettifyError(parsed.error),
      parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    );
  }
  const o = parsed.data;
  const key = `${normalisePrefix(o.prefix)}/config`;
  const hard = o.callTimeoutMs + o.dialTimeoutMs + 500;
  let client: Etcd3 | undefined = createEtcdClient({
    hosts: o.hosts,
    dialTimeoutMs: o.dialTimeoutMs,
    callTimeoutMs: o.callTimeoutMs,
    reconnectMs: 250,
  });

  async function readRaw(
    ctx: Ctx,
  ): Promise<
    | { ok: true; doc: ConfigDocument | null; revision: string | null }
    | EtcdFailure
    | { ok: false; reason: 'invalid'; detail: string }
  > {
    const c = client;
    if (!c) return { ok: false, reason: 'aborted', detail: 'config store is closed' };
    const r = await etcdCall(ctx, hard, `reading '${key}'`, () => c.get(key).exec());
    if (!r.ok) return r;
    const kv = r.value.kvs[0];
    if (!kv) return { ok: true, doc: null, revision: null };
    let doc: unknown;
    try {
      doc = JSON.parse(kv.value.toString('utf8'));
    } catch {
      return { ok: false, reason: 'invalid', detail: `'${key}' does not hold JSON` };
    }
    if (!isDocument(doc))
      return { ok: false, reason: 'invalid', detail: `'${key}' has no valid configVersion` };
    return { ok: true, doc, revision: kv.mod_revision };
  }

  const watchers = new Set<Watcher>();

  return {
    read: readRaw,

    onChange(cb: (doc: ConfigDocument) => void): (() => void) & { ready: Promise<void> } {
      let cancelled = false;
      let watcher: Watcher | undefined;
      const c = client;
      const ready: Promise<void> = c
        ? c
            .watch()
            .key(key)
            .create()
            .then(
              (w) => {
                if (cancelled) {
                  void w.cancel().catch(() => undefined);
                  return;
                }
                watcher = w;
                watchers.add(w);
                w.on('put', (kv) => {
                  let doc: unknown;
                  try {
                    doc = JSON.parse(kv.value.toString('utf8'));
                  } catch {
                    return;
                  }
                  if (isDocument(doc)) cb(doc);
                });
              },
              () => undefined,
            )
        : Promise.resolve();
      const unsubscribe = (): void => {
        cancelled = true;
        if (watcher) {
          watchers.delete(watcher);
          void watcher.cancel().catch(() => undefined);
        }
      };
      return Object.assign(unsubscribe, { ready });
    },

    async compareAndSwap(doc: ConfigDocument, ctx: Ctx): Promise<ConfigSwapOutcome> {
      if (!isDocument(doc))
        return { ok: false, reason: 'invalid', detail: 'configVersion must be a non-negative integer' };
      let value: string;
      try {
        value = JSON.stringify(doc);
      } catch (err) {
        return { ok: false, reason: 'invalid', detail: `document is not JSON: ${String(err)}` };
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const cur = await readRaw(ctx);
        if (!cur.ok) return cur;
        const c = client;
        if (!c) return { ok: false, reason: 'aborted', detail: 'config store is closed' };
        if (cur.doc && doc.configVersion <= cur.doc.configVersion) {
          return {
            ok: false,
            reason: 'stale',
            currentVersion: cur.doc.configVersion,
            detail: `configVersion ${doc.configVersion} is not above the stored ${cur.doc.configVersion}`,
          };
        }
        const txn = await etcdCall(ctx, hard, `writing '${key}'`, () =>
          (cur.revision === null ? c.if(key, 'Create', '==', 0) : c.if(key, 'Mod', '==', cur.revision))
            .then(c.put(key).value(value))
            .commit(),
        );
        if (!txn.ok) return txn;
        if (txn.value.succeeded) {
          const rev = txn.value.responses[0]?.response_put?.header?.revision ?? txn.value.header.revision;
          return { ok: true, configVersion: doc.configVersion, revision: String(rev) };
        }
        // Someone wrote between our read and our transaction: read again and re-judge.
      }
      return { ok: false, reason: 'conflict', detail: `'${key}' kept changing during 3 attempts` };
    },

    async close(): Promise<void> {
      await Promise.all([...watchers].map((w) => w.cancel().catch(() => undefined)));
      watchers.clear();
      client?.close();
      client = undefined;
    },
  } satisfies EtcdConfigStore;
}

function isDocument(v: unknown): v is ConfigDocument {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const cv = (v as { configVersion?: unknown }).configVersion;
  return typeof cv === 'number' && Number.isInteger(cv) && cv >= 0;
}
