import { z } from 'zod';

/**
 * Options shared by the SNMP fence agents, named after the fence-agents parameters they mirror
 * (`ip`, `ipport`, `community`, `username`, `snmp_version`, `snmp_sec_level`, `snmp_auth_prot`,
 * `snmp_priv_prot`, `snmp_priv_passwd`). Secrets come from `password*` (the v3 authentication
 * passphrase) and `privPassword*` (the v3 privacy passphrase); they are resolved once, when the
 * agent is created, and never appear in outcomes.
 */
export const snmpFenceOptionsSchema = z
  .object({
    /** Address of the chassis / PDU (IPv4 literal or host name). */
    ip: z.string().min(1),
    /** UDP port of the SNMP agent. Default 161. */
    ipport: z.number().int().min(1).max(65535).default(161),
    /** `1`, `2c` or `3`. Default: `3` for the Intel Modular Server, `1` for APC (as the fence agents). */
    snmpVersion: z.enum(['1', '2c', '3']).optional(),
    /** v1/v2c community. Default `private` (as fence_apc_snmp). */
    community: z.string().min(1).default('private'),
    /** v3 user name. */
    username: z.string().min(1).optional(),
    /** v3 authentication passphrase, in memory. Prefer `passwordEnv`/`passwordFile`. */
    password: z.string().optional(),
    passwordEnv: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    /** v3 security level. Default: `authPriv` with a priv passphrase, `authNoPriv` with a password, else `noAuthNoPriv`. */
    secLevel: z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(['noauthnopriv', 'authnopriv', 'authpriv']))
      .optional(),
    /** v3 authentication protocol, `MD5` or `SHA` (case-insensitive). Default `MD5` (as Net-SNMP). */
    authProtocol: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(['MD5', 'SHA']))
      .default('MD5'),
    /** v3 privacy protocol, `DES` or `AES` (case-insensitive). Default `AES` (DES needs OpenSSL's legacy provider on Node 20+). */
    privProtocol: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.enum(['DES', 'AES']))
      .default('AES'),
    privPassword: z.string().optional(),
    privPasswordEnv: z.string().min(1).optional(),
    privPasswordFile: z.string().min(1).optional(),
    /** Time to wait for one SNMP answer, ms (Net-SNMP tools: 1000). */
    timeoutMs: z.number().int().positive().default(1000),
    /** Retransmissions after the first try (Net-SNMP tools: 5). */
    retries: z.number().int().min(0).max(10).default(2),
    /** How long `on`/`off` wait for the status to read back the new state, ms (fence-agents power_timeout: 20 s). */
    powerTimeoutMs: z.number().int().positive().default(20_000),
    /** Pause between status reads while waiting, ms. */
    powerPollMs: z.number().int().positive().default(250),
  })
  .strict();

/** Input type of {@link snmpFenceOptionsSchema} (what a host passes). */
export type SnmpFenceOptions = z.input<typeof snmpFenceOptionsSchema>;
