/**
 * File- or block-device-backed quorum disk (the storage half of cman qdiskd, written from scratch):
 * a labelled header and one checksummed block per node id.
 */
export {
  createFileQuorumDisk,
  type DirectIoMode,
  type FileQuorumDisk,
  type FileQuorumDiskOptions,
  type FileQuorumDiskStats,
  fileQuorumDiskOptionsSchema,
  type InitQuorumDiskOptions,
  initQuorumDisk,
  type QuorumDiskFailure,
  type QuorumDiskFailureReason,
} from './file-quorum-disk.js';
export {
  MAX_LABEL_BYTES as QDISK_MAX_LABEL_BYTES,
  MAX_SLOTS as QDISK_MAX_SLOTS,
  type QuorumDiskHeader,
} from './qdisk-layout.js';
