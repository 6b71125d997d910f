import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL(".", import.meta.url));

// Tauri expects a fixed port in dev and the build in ../dist.
export default defineConfig({
  root,
  publicDir: fileURLToPath(new URL("../catalog", import.meta.url)),
  clearScreen: false,
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  server: { port: 1420, strictPort: true, host: "127.0.0.1" },
  build: {
    outDir: fileURLToPath(new URL("../dist", import.meta.url)),
    emptyOutDir: true,
    target: "safari15",
    sourcemap: false,
  },
});
