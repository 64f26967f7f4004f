/** Type contracts of the vote-arithmetic and cluster.conf import API. */
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ClusterConfImport,
  type ClusterConfig,
  type ClusterConfigInput,
  computePartitionQuorum,
  computeQuorum,
  createQuorumState,
  electQdiskMaster,
  expireLastManStanding,
  importClusterConf,
  type QuorumResult,
  type QuorumState,
  type QuorumView,
  qdeviceVote,
  qdiskLiveNodes,
  qdiskVotes,
  type RawClusterDocument,
  renderClusterConfImport,
} from '../../src/index.js';

describe('quorum API types', () => {
  it('takes a config, a state and a view and gives a state and a result', () => {
    expectTypeOf(createQuorumState).parameters.toEqualTypeOf<[ClusterConfig]>();
    expectTypeOf(computeQuorum).returns.toEqualTypeOf<{ state: QuorumState; result: QuorumResult }>();
    expectTypeOf(expireLastManStanding).parameters.toEqualTypeOf<[ClusterConfig, QuorumState, QuorumView]>();
    expectTypeOf(computePartitionQuorum).returns.toEqualTypeOf<{
      states: Record<number, QuorumState>;
      results: Record<number, QuorumResult>;
    }>();
    expectTypeOf<QuorumResult>().toHaveProperty('lmsStart').toEqualTypeOf<boolean>();
  });

  it('keeps the state plain JSON data', () => {
    expectTypeOf<QuorumState['members']>().toEqualTypeOf<number[]>();
    expectTypeOf<QuorumState['lowestQuorateId']>().toEqualTypeOf<number | null>();
  });

  it('answers the quorum device questions with ids and vote counts', () => {
    expectTypeOf(qdiskLiveNodes).returns.toEqualTypeOf<number[]>();
    expectTypeOf(electQdiskMaster).returns.toEqualTypeOf<number | null>();
    expectTypeOf(qdiskVotes).returns.toEqualTypeOf<number>();
    expectTypeOf(qdeviceVote).returns.toEqualTypeOf<number | null>();
  });

  it('imports cluster.conf into the raw cluster document', () => {
    expectTypeOf(importClusterConf).parameters.toEqualTypeOf<[string]>();
    expectTypeOf(importClusterConf).returns.toEqualTypeOf<ClusterConfImport>();
    expectTypeOf<RawClusterDocument>().toEqualTypeOf<ClusterConfigInput>();
    expectTypeOf(renderClusterConfImport).returns.toEqualTypeOf<string>();
  });
});
