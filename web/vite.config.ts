import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The gateway the dev server and `vite preview` forward `/graphql` to, so the browser stays same-origin
// (the session cookie is SameSite=Strict and scoped to /graphql).
const gateway = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:4000';
const proxy = { '/graphql': { target: gateway, changeOrigin: false } };

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy },
  build: { target: 'es2022', sourcemap: true },
});
