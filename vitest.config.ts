import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@quorate/source'] },
  ssr: { resolve: { conditions: ['@quorate/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
