/**
 * etcd adapters (npm `etcd3`): a transport whose membership is a lease per node, and a config
 * store guarded by `configVersion`.
 */
export type { EtcdFailure, EtcdFailureReason } from './etcd-client.js';
export {
  type ConfigDocument,
  type ConfigReadOutcome,
  type ConfigSwapOutcome,
  createEtcdConfigStore,
  type EtcdConfigStore,
  type EtcdConfigStoreOptions,
  etcdConfigStoreOptionsSchema,
} from './etcd-config-store.js';
export {
  createEtcdTransport,
  type EtcdSendOutcome,
  type EtcdTransport,
  type EtcdTransportOptions,
  type EtcdTransportStats,
  etcdTransportOptionsSchema,
} from './etcd-transport.js';
