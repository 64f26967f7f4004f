/**
 * SNMP fence devices over npm `net-snmp`: Intel Modular Server chassis (fence_intelmodular) and
 * APC switched PDUs (fence_apc_snmp). SNMP v1, v2c and v3 (noAuthNoPriv, authNoPriv, authPriv;
 * MD5/SHA; DES/AES).
 */
export { APC_RPDU_SYS_OBJECT_ID, createApcFenceAgent } from './apc.js';
export { createImsFenceAgent, IMS_BLADE_POWER_OID } from './intel-modular.js';
export { type SnmpFenceOptions, snmpFenceOptionsSchema } from './snmp-options.js';
