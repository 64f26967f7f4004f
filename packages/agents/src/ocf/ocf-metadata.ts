import { XMLParser } from 'fast-xml-parser';

/** One action an OCF agent declares in its meta-data. */
export interface OcfActionInfo {
  name: string;
  /** The suggested timeout in ms (`timeout="20s"`), when given. */
  timeoutMs?: number;
  /** The suggested interval in ms, for monitor. */
  intervalMs?: number;
  depth?: number;
  role?: string;
}

/** One parameter an OCF agent declares. */
export interface OcfParameterInfo {
  name: string;
  required: boolean;
  unique: boolean;
  type?: string;
  default?: string;
  shortdesc?: string;
}

/** What `<agent> meta-data` says. */
export interface OcfMetadata {
  name: string;
  version?: string;
  shortdesc?: string;
  parameters: OcfParameterInfo[];
  actions: OcfActionInfo[];
}

/**
 * Parses an OCF duration (`20s`, `5min`, `100ms`, `2m`, `1h`, bare number = seconds) to ms.
 * Returns undefined for anything else.
 */
export function parseOcfDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$/i.exec(text);
  if (!m?.[1]) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor =
    unit === 'ms' || unit === 'msec'
      ? 1
      : unit === 's' || unit === 'sec'
        ? 1000
        : unit === 'm' || unit === 'min'
          ? 60_000
          : 3_600_000;
  return Math.round(n * factor);
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v)) return text(v[0]);
  if (v && typeof v === 'object' && '#text' in v)
    return String((v as Record<string, unknown>)['#text']).trim();
  return undefined;
}

/** Parses OCF meta-data XML. Throws a plain `Error` saying what is missing. */
export function parseOcfMetadata(xml: string): OcfMetadata {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) =>
      name === 'parameter' || name === 'action' || name === 'shortdesc' || name === 'longdesc',
  });
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`meta-data is not XML: ${(err as Error).message}`);
  }
  const ra = doc['resource-agent'] as Record<string, unknown> | undefined;
  if (!ra || typeof ra !== 'object') throw new Error('meta-data has no <resource-agent> element');
  const params = ((ra.parameters as Record<string, unknown> | undefined)?.parameter ?? []) as Array<
    Record<string, unknown>
  >;
  const actions = ((ra.actions as Record<string, unknown> | undefined)?.action ?? []) as Array<
    Record<string, unknown>
  >;
  if (actions.length === 0) throw new Error('meta-data lists no <actions>');
  const md: OcfMetadata = {
    name: String(ra.name ?? ''),
    parameters: params.map((p) => {
      const content = (p.content ?? {}) as Record<string, unknown>;
      const info: OcfParameterInfo = {
        name: String(p.name),
        required: String(p.required ?? '0') === '1',
        unique: String(p.unique ?? '0') === '1',
      };
      if (content.type !== undefined) info.type = String(content.type);
      if (content.default !== undefined) info.default = String(content.default);
      const sd = text(p.shortdesc);
      if (sd !== undefined) info.shortdesc = sd;
      return info;
    }),
    actions: actions.map((a) => {
      const info: OcfActionInfo = { name: String(a.name) };
      const t = a.timeout !== undefined ? parseOcfDuration(String(a.timeout)) : undefined;
      if (t !== undefined) info.timeoutMs = t;
      const i = a.interval !== undefined ? parseOcfDuration(String(a.interval)) : undefined;
      if (i !== undefined) info.intervalMs = i;
      if (a.depth !== undefined) info.depth = Number(a.depth);
      if (a.role !== undefined) info.role = String(a.role);
      return info;
    }),
  };
  const version = ra.version ?? text(ra.version);
  if (version !== undefined) md.version = String(version);
  const sd = text(ra.shortdesc);
  if (sd !== undefined) md.shortdesc = sd;
  return md;
}
