// Makes `.next/standalone/server.js` serve the whole app: Next leaves the static chunks and public/
// for a CDN, so copy them next to the server (https://nextjs.org/docs/app/api-reference/config/next-config-js/output).
import { cpSync, existsSync, rmSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const standalone = join(root, ".next", "standalone")

if (!existsSync(join(standalone, "server.js"))) {
  console.error(
    `copy-standalone-assets: ${standalone}/server.js is missing; did next build run with output: "standalone"?`,
  )
  process.exit(1)
}

for (const [from, to] of [
  [join(root, ".next", "static"), join(standalone, ".next", "static")],
  [join(root, "public"), join(standalone, "public")],
]) {
  rmSync(to, { recursive: true, force: true })
  if (existsSync(from)) {
    cpSync(from, to, { recursive: true })
  }
}
