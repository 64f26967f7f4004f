/** Type contract of the public IPMI API (checked by `tsc -p tsconfig.check.json`). */
import type { FenceAgent } from '@quorate/core';
import { expectTypeOf } from 'vitest';
import {
  createIpmiFenceAgent,
  createIpmitoolFenceAgent,
  type IpmiCipherSuite,
  type IpmiFenceAgentOptions,
  type IpmitoolFenceAgentOptions,
} from '../../src/index.js';

expectTypeOf(createIpmiFenceAgent).parameter(0).toEqualTypeOf<IpmiFenceAgentOptions>();
expectTypeOf(createIpmiFenceAgent).returns.toExtend<FenceAgent>();
expectTypeOf(createIpmiFenceAgent).returns.toHaveProperty('close');
expectTypeOf(createIpmitoolFenceAgent).parameter(0).toEqualTypeOf<IpmitoolFenceAgentOptions>();
expectTypeOf(createIpmitoolFenceAgent).returns.toExtend<FenceAgent>();
expectTypeOf<IpmiCipherSuite>().toEqualTypeOf<0 | 1 | 2 | 3 | 6 | 7 | 8 | 15 | 16 | 17>();
// Only `ip` is required; every other option has a default or is optional.
expectTypeOf<{ ip: string }>().toExtend<IpmiFenceAgentOptions>();
expectTypeOf<{ ip: string }>().toExtend<IpmitoolFenceAgentOptions>();
