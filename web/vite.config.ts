import { defineConfig } from "vite";

// No framework plugin: esbuild compiles TSX with tsconfig's react-jsx. The service serves dist/.
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  esbuild: { jsx: "automatic" },
  server: {
    proxy: { "/graphql": "http://127.0.0.1:8000", "/sandbox": "http://127.0.0.1:8000", "/dev": "http://127.0.0.1:8000" },
  },
});
