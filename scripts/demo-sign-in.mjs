// Demo mode: signs the built-in fake ChatGPT backend's synthetic accounts in through the real OAuth flow of the
// front door (start, the issuer's redirect, complete), exactly as an operator's pasted URL would.
// Usage: node scripts/demo-sign-in.mjs http://127.0.0.1:4010 [admin-token]
const [front, token] = process.argv.slice(2);
const headers = { "content-type": "application/json", ...(token ? { "x-admin-token": token } : {}) };
const emails = ["alice@demo.test", "bob@demo.test", "carol@demo.test", "erin@demo.test", "dana@demo.test", "frank@demo.test"];

async function call(path, body) {
  const response = await fetch(front + path, { method: body ? "POST" : "GET", headers, body: body && JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(`${path}: ${json.message ?? response.status}`);
  return json;
}

const known = new Set((await call("/admin/accounts")).accounts.map((a) => a.email));
for (const email of emails.filter((e) => !known.has(e))) {
  const flow = await call("/admin/oauth/start", { email });
  // The fake issuer signs the hinted account in at once and redirects to the redirect URI with code and state.
  const authorize = await fetch(`${flow.authorizeUrl}&login_hint=${encodeURIComponent(email)}`, { redirect: "manual" });
  const redirectUrl = authorize.headers.get("location");
  const account = await call("/admin/oauth/complete", { flowId: flow.flowId, redirectUrl });
  console.log(`[multicodex] demo: signed in ${account.email} (${account.planType})`);
}
