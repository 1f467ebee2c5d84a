import type { NextConfig } from "next"

const development = process.env.NODE_ENV === "development"

// What the pages may load: only their own origin (gRPC-Web goes through the same front door). Next.js bootstraps
// every page with inline scripts, so scripts need 'unsafe-inline' (a nonce would make every page dynamic); the
// dev server also evaluates code and talks to its HMR websocket. No framing, no plugins, no <base>, forms only here.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${development ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${development ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ")

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "X-Frame-Options", value: "DENY" },
]

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
  // On every page and asset (SECURITY.md); the Edge adds nothing over a page's own policy.
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }]
  },
}

export default nextConfig
