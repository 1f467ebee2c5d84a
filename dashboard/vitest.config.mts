import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

export default defineConfig({
    resolve: {
        alias: { "@": fileURLToPath(new URL(".", import.meta.url)) },
    },
    test: {
        // Logic runs in node; component tests opt into a DOM with `// @vitest-environment happy-dom`.
        environment: "node",
        include: ["**/*.test.{ts,tsx}"],
        exclude: ["node_modules/**", ".next/**", "e2e/**"],
        setupFiles: ["./test/setup.ts"],
        // Times render in UTC whatever the machine's zone, so expected strings hold everywhere.
        env: { TZ: "UTC" },
        testTimeout: 10_000,
    },
})
