import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import type { Ctx, Logger, QuorumDisk, SlotState } from '@quorate/core';
import { ConfigError } from '@quorate/core';
import { z } from 'zod';
import {
  decodeHeader,
  decodeSlot,
  encodeHeader,
  encodeSlot,
  isBlockSize,
  MAX_LABEL_BYTES,
  MAX_SLOTS,
  type QuorumDiskHeader,
  slotProblem,
} from './qdisk-layout.js';

/** Why a quorum disk call failed. */
export type QuorumDiskFailureReason =
  | 'not-found'
  | 'permission'
  | 'not-formatted'
  | 'corrupt-header'
  | 'label-mismatch'
  | 'size-mismatch'
  | 'too-small'
  | 'bad-slot'
  | 'io-error'
  | 'aborted'
  | 'closed';

/** A failed quorum disk call, as a value. `detail` names the path, never file contents. */
export interface QuorumDiskFailure {
  ok: false;
  reason: QuorumDiskFailureReason;
  detail: string;
}

/** How the disk is opened: `auto` uses O_DIRECT on block devices only. */
export type DirectIoMode = 'auto' | 'on' | 'off';

const loggerSchema = z.custom<Logger>(
  (v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>).warn === 'function',
  { message: 'must be a Logger' },
);

/** Options of {@link createFileQuorumDisk}. */
export const fileQuorumDiskOptionsSchema = z
  .object({
    /** A regular file (shared by processes of one machine, or on a cluster file system) or a block device. */
    path: z.string().min(1),
    /** The label given to {@link initQuorumDisk}; opening fails with `label-mismatch` if it differs. */
    label: z.string().min(1).max(MAX_LABEL_BYTES),
    /** Slot count expected; opening fails with `size-mismatch` if the header says otherwise. Default: the header's. */
    slots: z.number().int().min(1).max(MAX_SLOTS).optional(),
    /** Block size expected (512, 1024, 2048 or 4096). Default 512. */
    blockSize: z
      .number()
      .int()
      .refine(isBlockSize, { message: 'must be 512, 1024, 2048 or 4096' })
      .default(512),
    /** O_DIRECT use; `auto` (default) = on for block devices, off for files. */
    directIo: z.enum(['auto', 'on', 'off']).default('auto'),
    logger: loggerSchema.optional(),
  })
  .strict();

/** What a host passes to {@link createFileQuorumDisk}. */
export type FileQuorumDiskOptions = z.input<typeof fileQuorumDiskOptionsSchema>;

/** Counters of {@link FileQuorumDisk.stats}. */
export interface FileQuorumDiskStats {
  writes: number;
  reads: number;
  /** Slots read back as corrupt twice in a row (reported as `null`). */
  corruptSlots: number;
  /** Calls that returned `ok: false`. */
  failures: number;
}

/** The file-backed quorum disk: the {@link QuorumDisk} port plus `open`, `header` and `stats`. */
export interface FileQuorumDisk extends QuorumDisk {
  /** Opens and checks the disk now (otherwise the first call does). Idempotent. */
  open(ctx: Ctx): Promise<{ ok: true; header: QuorumDiskHeader; direct: boolean } | QuorumDiskFailure>;
  stats(): FileQuorumDiskStats;
  close(): Promise<void>;
}

interface OpenDisk {
  fh: FileHandle;
  /** Work buffer, aligned for O_DIRECT when `direct`. */
  io: Buffer;
  direct: boolean;
  isBlock: boolean;
}

/**
 * Creates a quorum disk on a file or block device formatted by {@link initQuorumDisk}, the
 * storage half of cman's qdiskd: `write` stores this node's slot, `readAll` reads every slot.
 * Deciding anything from the slots (master election, eviction) is core's job.
 *
 * - Every write is one positioned write of a whole block at `slot × blockSize`, opened with
 *   O_DSYNC (files) or O_DIRECT|O_SYNC (block devices, so no page cache hides another node's
 *   writes). Each node writes only its own block, so nodes never need a lock.
 * - `readAll` reads the header and every slot in one positioned read, re-checks the header (a
 *   disk re-formatted under us fails with `label-mismatch` / `size-mismatch`), and re-reads a slot
 *   whose checksum fails once (torn read) before reporting it `null`.
 * - Outcomes are values; calls on one disk run one at a time. File-system calls cannot be
 *   interrupted, so an abort is answered `aborted` as soon as the running I/O returns.
 *
 * Throws `ConfigError` on invalid options only.
 */
export function createFileQuorumDisk(options: FileQuorumDiskOptions): FileQuorumDisk {
  const parsed = fileQuorumDiskOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      z.prettifyError(parsed.error),
      parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    );
  }
  const opts = parsed.data;
  const log = opts.logger;
  let disk: OpenDisk | undefined;
  let header: QuorumDiskHeader | undefined;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  const stats: FileQuorumDiskStats = { writes: 0, reads: 0, corruptSlots: 0, failures: 0 };

  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  function fail(reason: QuorumDiskFailureReason, detail: string): QuorumDiskFailure {
    stats.failures += 1;
    return { ok: false, reason, detail };
  }

  async function ensureOpen(ctx: Ctx): Promise<{ ok: true } | QuorumDiskFailure> {
    if (closed) return fail('closed', `quorum disk '${opts.path}' is closed`);
    if (ctx.signal.aborted) return fail('aborted', 'aborted before opening');
    if (disk && header) return { ok: true };
    const opened = await openDisk(opts.path, 'rw', opts.directIo, opts.blockSize * (MAX_SLOTS + 1), log);
    if (!opened.ok) return fail(opened.reason, opened.detail);
    const d = opened.disk;
    try {
      const r = await d.fh.read(d.io, 0, opts.blockSize, 0);
      const h =
        r.bytesRead < 512 ? decodeHeader(Buffer.alloc(0)) : decodeHeader(d.io.subarray(0, r.bytesRead));
      if (!h.ok) {
        await d.fh.close();
        return fail(h.reason, `'${opts.path}': ${h.detail}`);
      }
      const problem = headerProblem(h.header);
      if (problem) {
        await d.fh.close();
        return fail(problem.reason, problem.detail);
      }
      const total = (h.header.slots + 1) * h.header.blockSize;
      const size = d.isBlock
        ? await blockDeviceFits(d, total, h.header.blockSize)
        : (await d.fh.stat()).size >= total;
      if (!size) {
        await d.fh.close();
        return fail('too-small', `'${opts.path}' is smaller than ${total} bytes (${h.header.slots} slots)`);
      }
      if (closed) {
        await d.fh.close();
        return fail('closed', `quorum disk '${opts.path}' is closed`);
      }
      disk = d;
      header = h.header;
      return { ok: true };
    } catch (err) {
      await d.fh.close().catch(() => undefined);
      return fail('io-error', `'${opts.path}': ${errText(err)}`);
    }
  }

  function headerProblem(
    h: QuorumDiskHeader,
  ): { reason: QuorumDiskFailureReason; detail: string } | undefined {
    if (h.label !== opts.label) {
      return {
        reason: 'label-mismatch',
        detail: `'${opts.path}' has label '${h.label}', expected '${opts.label}'`,
      };
    }
    if (h.blockSize !== opts.blockSize) {
      return {
        reason: 'size-mismatch',
        detail: `'${opts.path}' has block size ${h.blockSize}, expected ${opts.blockSize}`,
      };
    }
    if (opts.slots !== undefined && h.slots !== opts.slots) {
      return {
        reason: 'size-mismatch',
        detail: `'${opts.path}' has ${h.slots} slots, expected ${opts.slots}`,
      };
    }
    return undefined;
  }

  const qdisk = {
    open(ctx: Ctx) {
      return serial(async () => {
        const o = await ensureOpen(ctx);
        if (!o.ok) return o;
        return { ok: true as const, header: { ...header! }, direct: disk!.direct };
      });
    },

    write(slot: number, s: SlotState, ctx: Ctx) {
      return serial(async (): Promise<{ ok: true } | QuorumDiskFailure> => {
        const o = await ensureOpen(ctx);
        if (!o.ok) return o;
        const { blockSize, slots } = header!;
        const problem = slotProblem(slot, s, slots);
        if (problem) return fail('bad-slot', problem);
        const d = disk!;
        encodeSlot(s, d.io, blockSize);
        try {
          const w = await d.fh.write(d.io, 0, blockSize, slot * blockSize);
          if (w.bytesWritten !== blockSize)
            return fail('io-error', `short write to slot ${slot} of '${opts.path}'`);
        } catch (err) {
          return fail('io-error', `writing slot ${slot} of '${opts.path}': ${errText(err)}`);
        }
        stats.writes += 1;
        if (ctx.signal.aborted) return fail('aborted', `aborted while writing slot ${slot}`);
        return { ok: true };
      });
    },

    readAll(ctx: Ctx) {
      return serial(async (): Promise<{ ok: true; slots: Array<SlotState | null> } | QuorumDiskFailure> => {
        const o = await ensureOpen(ctx);
        if (!o.ok) return o;
        const { blockSize, slots } = header!;
        const d = disk!;
        const total = (slots + 1) * blockSize;
        try {
          const r = await d.fh.read(d.io, 0, total, 0);
          if (r.bytesRead < total) return fail('too-small', `'${opts.path}' shrank below ${total} bytes`);
        } catch (err) {
          return fail('io-error', `reading '${opts.path}': ${errText(err)}`);
        }
        stats.reads += 1;
        const h = decodeHeader(d.io.subarray(0, blockSize));
        if (!h.ok) return fail(h.reason, `'${opts.path}': ${h.detail}`);
        const changed =
          headerProblem(h.header) ??
          (h.header.slots !== slots
            ? {
                reason: 'size-mismatch' as const,
                detail: `'${opts.path}' was re-formatted with ${h.header.slots} slots`,
              }
            : undefined);
        if (changed) return fail(changed.reason, changed.detail);
        const out: Array<SlotState | null> = [];
        const retry: number[] = [];
        for (let n = 1; n <= slots; n++) {
          const s = decodeSlot(d.io.subarray(n * blockSize, (n + 1) * blockSize), n);
          if (s.kind === 'slot') out.push(s.slot);
          else {
            out.push(null);
            if (s.kind === 'corrupt') retry.push(n);
          }
        }
        for (const n of retry) {
          // A torn read of a block being written by another process: read that block once more.
          try {
            await d.fh.read(d.io, 0, blockSize, n * blockSize);
          } catch (err) {
            return fail('io-error', `reading slot ${n} of '${opts.path}': ${errText(err)}`);
          }
          const s = decodeSlot(d.io.subarray(0, blockSize), n);
          if (s.kind === 'slot') out[n - 1] = s.slot;
          else if (s.kind === 'corrupt') {
            stats.corruptSlots += 1;
            log?.warn('quorum disk: corrupt slot', { path: opts.path, slot: n, detail: s.detail });
          }
        }
        if (ctx.signal.aborted) return fail('aborted', 'aborted while reading the quorum disk');
        return { ok: true, slots: out };
      });
    },

    stats(): FileQuorumDiskStats {
      return { ...stats };
    },

    async close(): Promise<void> {
      closed = true;
      await serial(async () => {
        const d = disk;
        disk = undefined;
        header = undefined;
        if (d) await d.fh.close().catch(() => undefined);
      });
    },
  } satisfies FileQuorumDisk;
  return qdisk;
}

/** Options of {@link initQuorumDisk}. */
export interface InitQuorumDiskOptions {
  label: string;
  slots: number;
  /** 512 (default), 1024, 2048 or 4096. */
  blockSize?: number;
  /** As in {@link FileQuorumDiskOptions.directIo}. */
  directIo?: DirectIoMode;
}

/**
 * Formats a quorum disk, like `mkqdisk -c <device> -l <label>`: writes the header and empties
 * every slot. A regular file is created or truncated to `(slots + 1) × blockSize` bytes; a block
 * device must be at least that large and is not resized. Destroys what the slots held: call it
 * once, while no node uses the disk. Never rejects; failures are values.
 */
export async function initQuorumDisk(
  path: string,
  options: InitQuorumDiskOptions,
  ctx: Ctx = { signal: new AbortController().signal },
): Promise<{ ok: true; header: QuorumDiskHeader } | QuorumDiskFailure> {
  const blockSize = options.blockSize ?? 512;
  const { label, slots } = options;
  if (!isBlockSize(blockSize))
    return { ok: false, reason: 'size-mismatch', detail: `block size ${blockSize} is not 512..4096` };
  if (!Number.isInteger(slots) || slots < 1 || slots > MAX_SLOTS) {
    return { ok: false, reason: 'size-mismatch', detail: `slot count ${slots} is outside 1..${MAX_SLOTS}` };
  }
  if (label.length === 0 || Buffer.byteLength(label, 'utf8') > MAX_LABEL_BYTES) {
    return { ok: false, reason: 'label-mismatch', detail: `label must be 1..${MAX_LABEL_BYTES} bytes` };
  }
  if (ctx.signal.aborted) return { ok: false, reason: 'aborted', detail: 'aborted before formatting' };
  const total = (slots + 1) * blockSize;
  const opened = await openDisk(path, 'create', options.directIo ?? 'auto', total, undefined);
  if (!opened.ok) return opened;
  const d = opened.disk;
  try {
    if (d.isBlock && !(await blockDeviceFits(d, total, blockSize))) {
      return { ok: false, reason: 'too-small', detail: `'${path}' is smaller than ${total} bytes` };
    }
    const header: QuorumDiskHeader = { label, slots, blockSize, version: 1 };
    d.io.fill(0, 0, total);
    encodeHeader(header, d.io);
    const w = await d.fh.write(d.io, 0, total, 0);
    if (w.bytesWritten !== total)
      return { ok: false, reason: 'io-error', detail: `short write formatting '${path}'` };
    if (!d.isBlock) await d.fh.truncate(total);
    await d.fh.sync();
    return { ok: true, header };
  } catch (err) {
    return { ok: false, reason: 'io-error', detail: `formatting '${path}': ${errText(err)}` };
  } finally {
    await d.fh.close().catch(() => undefined);
  }
}

async function openDisk(
  path: string,
  mode: 'rw' | 'create',
  directIo: DirectIoMode,
  ioBytes: number,
  log: Logger | undefined,
): Promise<{ ok: true; disk: OpenDisk } | QuorumDiskFailure> {
  let isBlock = false;
  try {
    isBlock = (await stat(path)).isBlockDevice();
  } catch (err) {
    if (!(mode === 'create' && code(err) === 'ENOENT')) return ioFailure(path, err);
  }
  const wantDirect = directIo === 'on' || (directIo === 'auto' && isBlock);
  let flags = constants.O_RDWR | (isBlock ? constants.O_SYNC : constants.O_DSYNC);
  if (mode === 'create' && !isBlock) flags |= constants.O_CREAT;
  if (wantDirect && constants.O_DIRECT !== undefined) {
    try {
      const fh = await open(path, flags | constants.O_DIRECT, 0o600);
      const io = await alignedBuffer(fh, ioBytes);
      if (io) return { ok: true, disk: { fh, io, direct: true, isBlock } };
      await fh.close();
    } catch (err) {
      if (code(err) !== 'EINVAL') return ioFailure(path, err);
    }
    // The file system refuses O_DIRECT (tmpfs) or no buffer alignment worked.
    log?.warn('quorum disk: O_DIRECT unavailable, using synchronous buffered I/O', { path });
  }
  try {
    const fh = await open(path, flags, 0o600);
    return { ok: true, disk: { fh, io: Buffer.alloc(ioBytes), direct: false, isBlock } };
  } catch (err) {
    return ioFailure(path, err);
  }
}

/**
 * O_DIRECT needs the memory buffer aligned to the device's logical block size. JavaScript cannot
 * ask for an aligned allocation (allocations are only 8- or 16-byte aligned), so allocate 4 KiB
 * extra and find, by trying a 4 KiB read at each 8-byte step, the first offset the kernel
 * accepts (it refuses the others with EINVAL); the buffer never moves afterwards.
 */
async function alignedBuffer(fh: FileHandle, bytes: number): Promise<Buffer | undefined> {
  const raw = Buffer.allocUnsafeSlow(bytes + 8192);
  for (let off = 0; off < 4096; off += 8) {
    try {
      await fh.read(raw, off, 4096, 0);
      return raw.subarray(off, off + bytes).fill(0);
    } catch (err) {
      if (code(err) !== 'EINVAL') throw err;
    }
  }
  return undefined;
}

async function blockDeviceFits(d: OpenDisk, total: number, blockSize: number): Promise<boolean> {
  // stat() of a block device says size 0: read the last block the layout needs instead.
  const r = await d.fh.read(d.io, 0, blockSize, total - blockSize);
  return r.bytesRead === blockSize;
}

function ioFailure(path: string, err: unknown): QuorumDiskFailure {
  const c = code(err);
  if (c === 'ENOENT') return { ok: false, reason: 'not-found', detail: `'${path}' does not exist` };
  if (c === 'EACCES' || c === 'EPERM' || c === 'EROFS') {
    return { ok: false, reason: 'permission', detail: `'${path}' cannot be opened for writing (${c})` };
  }
  return { ok: false, reason: 'io-error', detail: `'${path}': ${errText(err)}` };
}

function code(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? ((err as { code?: string }).code ?? undefined) : undefined;
}

function errText(err: unknown): string {
  const c = code(err);
  return c ?? (err instanceof Error ? err.message : String(err));
}
