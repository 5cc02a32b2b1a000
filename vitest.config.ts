import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // The files mostly wait on child processes, emulators' latency and timers, not on the CPU: two at a time even on
    // two cores (vitest's default there is one) halves the run (722 s → 402 s measured). Tests that build network
    // namespaces keep to their own names and addresses (drill/netns.ts claims a free id; keepalived tests each their
    // own prefix and subnet), so parallel files never collide.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
