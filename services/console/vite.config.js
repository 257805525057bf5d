import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The bundle goes where the gateway serves it from: META-INF/resources of this module's jar.
// `npm run dev` serves the console on :5173 and hands the API to a gateway on :8080.
export default defineConfig({
  plugins: [react()],
  base: './',
  build: {
    outDir: 'target/classes/META-INF/resources',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/console': 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
  },
});
