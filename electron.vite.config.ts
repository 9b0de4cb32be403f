import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      // The same bundle serves three hosts: Electron (index), the headless host (server) and the CLI.
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          server: resolve(__dirname, 'src/main/server.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts'),
          // A worker thread's entry: found beside the bundle by core/recorder/recording-thread.
          'recording-worker': resolve(__dirname, 'src/main/core/recorder/recording-worker.ts'),
        },
        // Shared chunks beside the entries, so every bundle's __dirname is out/main.
        output: { chunkFileNames: 'chunk-[name]-[hash].js' },
        // No package is imported for its side effects: an import nothing uses is dropped, so a
        // lazily loaded part of the CLI (the cost report) does not drag node-pty and the rest in.
        treeshake: { moduleSideEffects: 'no-external' },
      },
    },
  },
  preload: {
    build: {
      // CommonJS: an ESM preload forces sandbox: false.
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [react()],
    build: {
      // Served over http by the headless host too: a minified bundle paints sooner.
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
