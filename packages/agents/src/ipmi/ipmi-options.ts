/**
 * Options of the IPMI fence agents (our RMCP+ client and the `ipmitool` route), validated with
 * zod at the factory. Names follow fence_ipmilan where one exists (`ip`, `port` = `ipport`,
 * `lanplus`, `cipher`, `privilege` = `privlvl`, `method`, `power_wait`).
 */
import { z } from 'zod';

/** Cipher suites our RMCP+ client speaks (IPMI v2.0 table 22-20, HMAC based ones only). */
export const IPMI_CIPHER_SUITES = [0, 1, 2, 3, 6, 7, 8, 15, 16, 17] as const;

/** One of {@link IPMI_CIPHER_SUITES}. 3 (SHA1 / SHA1-96 / AES) is the default; 17 is SHA256 + AES. */
export type IpmiCipherSuite = (typeof IPMI_CIPHER_SUITES)[number];

/** Session privilege asked for: Chassis Control needs `operator` or `administrator`. */
export type IpmiPrivilege = 'callback' | 'user' | 'operator' | 'administrator';

const cipherSchema = z
  .number()
  .int()
  .refine((n) => (IPMI_CIPHER_SUITES as readonly number[]).includes(n), {
    message: `cipher suite must be one of ${IPMI_CIPHER_SUITES.join(', ')}`,
  })
  .transform((n) => n as IpmiCipherSuite);

const commonShape = {
  /** BMC address (IPv4, IPv6 or host name). */
  ip: z.string().min(1),
  /** UDP port of the BMC. */
  port: z.number().int().min(1).max(65535).default(623),
  /** BMC user name (at most 16 bytes; empty = anonymous/null user). */
  username: z.string().max(16).default(''),
  password: z.string().max(20).optional(),
  passwordEnv: z.string().min(1).optional(),
  passwordFile: z.string().min(1).optional(),
  /** IPMI v2.0 RMCP+ (`lanplus`) when true, IPMI v1.5 (`lan`) when false. */
  lanplus: z.boolean().default(true),
  cipher: cipherSchema.default(3),
  privilege: z.enum(['callback', 'user', 'operator', 'administrator']).default('administrator'),
  /** IPMI 1.5 only: session authentication type. */
  authType: z.enum(['none', 'password', 'md5']).default('md5'),
  /** `onoff` (default): reboot = off, confirm off, on. `cycle`: one Chassis Control power cycle. */
  method: z.enum(['onoff', 'cycle']).default('onoff'),
  /** How long to wait for one answer before retransmitting (our client) or for one ipmitool run. */
  timeoutMs: z.number().int().positive().default(1000),
  /** Retransmissions after the first try (our client), or ipmitool `-R`. */
  retries: z.number().int().min(0).max(10).default(3),
  /** Delay after a power on/off command before the first status check (fence-agents `power_wait`). */
  powerWaitMs: z.number().int().min(0).default(0),
  /** How long to poll status for the wanted power state after on/off (fence-agents `power_timeout`). */
  powerTimeoutMs: z.number().int().positive().default(20_000),
  /** Interval between status polls while waiting for a power state. */
  pollIntervalMs: z.number().int().positive().default(200),
  /** Name reported by `list` for the single plug of this device (default: `ip`). */
  plug: z.string().min(1).optional(),
};

/**
 * Options of {@link createIpmiFenceAgent} (input form: defaults may be omitted).
 * Exactly one of `password`, `passwordEnv`, `passwordFile` should be given (none = empty password).
 */
export const ipmiFenceAgentOptionsSchema = z
  .object({
    ...commonShape,
    /** BMC key Kg as hex (20 bytes max); default: Kg = the user password. */
    kgHex: z
      .string()
      .regex(/^(?:[0-9a-fA-F]{2}){1,20}$/)
      .optional(),
    /** `per-operation` (default): one session per `run`; `keep`: reuse one session across runs. */
    session: z.enum(['per-operation', 'keep']).default('per-operation'),
  })
  .strict();

/** Input options of {@link createIpmiFenceAgent}. */
export type IpmiFenceAgentOptions = z.input<typeof ipmiFenceAgentOptionsSchema>;
/** Options after defaults. */
export type IpmiFenceAgentConfig = z.output<typeof ipmiFenceAgentOptionsSchema>;

/** Options of {@link createIpmitoolFenceAgent}: the common ones plus the binary to run. */
export const ipmitoolFenceAgentOptionsSchema = z
  .object({
    ...commonShape,
    /** Path or name of the ipmitool binary. */
    ipmitoolPath: z.string().min(1).default('ipmitool'),
  })
  .strict();

/** Input options of {@link createIpmitoolFenceAgent}. */
export type IpmitoolFenceAgentOptions = z.input<typeof ipmitoolFenceAgentOptionsSchema>;
/** Options after defaults. */
export type IpmitoolFenceAgentConfig = z.output<typeof ipmitoolFenceAgentOptionsSchema>;
