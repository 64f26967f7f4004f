import { XMLParser } from 'fast-xml-parser';

/** One parameter a fence agent declares in its `-o metadata` XML. */
export interface FenceParameterInfo {
  name: string;
  required: boolean;
  deprecated: boolean;
  /** The parameter this one replaces (`password` obsoletes `passwd`). */
  obsoletes?: string;
  /** `string` | `integer` | `boolean` | `select` | `second` ... as the agent says. */
  type?: string;
  default?: string;
  /** For `select`: the allowed values. */
  options?: string[];
  shortdesc?: string;
}

/** What `fence_xxx -o metadata` says about the agent. */
export interface FenceAgentMetadata {
  name: string;
  shortdesc: string;
  parameters: FenceParameterInfo[];
  /** Action names (`on`, `off`, `reboot`, `status`, `monitor`, `list`, `metadata`, ...). */
  actions: string[];
}

const ARRAYS = new Set(['parameter', 'action', 'option', 'symlink']);

/**
 * Parses fence-agents metadata XML (`<resource-agent name=…><parameters><parameter name=… required=…>
 * <content type=… default=…/>…</parameters><actions><action name=…/>…</actions>`). Throws a
 * plain `Error` saying what is missing when the text is not such a document.
 */
export function parseFenceAgentMetadata(xml: string): FenceAgentMetadata {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => ARRAYS.has(name),
  });
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`metadata is not XML: ${(err as Error).message}`);
  }
  const ra = doc['resource-agent'] as Record<string, unknown> | undefined;
  if (!ra || typeof ra !== 'object') throw new Error('metadata has no <resource-agent> element');
  const params = ((ra.parameters as Record<string, unknown> | undefined)?.parameter ?? []) as Array<
    Record<string, unknown>
  >;
  const actions = ((ra.actions as Record<string, unknown> | undefined)?.action ?? []) as Array<
    Record<string, unknown>
  >;
  if (actions.length === 0) throw new Error('metadata lists no <actions>');
  return {
    name: String(ra.name ?? ''),
    shortdesc: String(ra.shortdesc ?? ''),
    parameters: params.map((p) => {
      const content = (p.content ?? {}) as Record<string, unknown>;
      const info: FenceParameterInfo = {
        name: String(p.name),
        required: String(p.required ?? '0') === '1',
        deprecated: String(p.deprecated ?? '0') === '1',
      };
      if (p.obsoletes !== undefined) info.obsoletes = String(p.obsoletes);
      if (content.type !== undefined) info.type = String(content.type);
      if (content.default !== undefined) info.default = String(content.default);
      const opts = content.option as Array<Record<string, unknown>> | undefined;
      if (opts) info.options = opts.map((o) => String(o.value));
      const sd = p.shortdesc;
      if (typeof sd === 'string') info.shortdesc = sd;
      else if (sd && typeof sd === 'object' && '#text' in sd)
        info.shortdesc = String((sd as Record<string, unknown>)['#text']);
      return info;
    }),
    actions: actions.map((a) => String(a.name)),
  };
}
