import type { NextConfig } from "next"

const nextConfig: NextConfig = {
  // scripts/lib.sh runs `.next/standalone/server.js`; the build copies static chunks and public/ next to it.
  output: "standalone",
  // Pin both roots to this folder so a lockfile elsewhere in the repo never moves server.js to a subfolder.
  outputFileTracingRoot: __dirname,
  turbopack: { root: __dirname },
  poweredByHeader: false,
  reactStrictMode: true,
  // Accounts is the home page.
  async redirects() {
    return [{ source: "/", destination: "/accounts", permanent: false }]
  },
}

export default nextConfig
