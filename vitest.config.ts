import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Native addons (OpenCV, onnxruntime, ZeroMQ) are safest in child processes rather than worker threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { OPENCV4NODEJS_DISABLE_AUTOBUILD: '1' },
  },
});
