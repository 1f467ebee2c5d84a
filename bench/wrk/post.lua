-- wrk script of the MultiCodex benchmark (bench/MultiCodex.Bench/Scenarios/Wrk.cs runs it):
--   wrk … -s post.lua URL -- BODY_FILE "Header: value" …
-- Every request is a POST of the file's bytes with the given headers. At the end one line
-- "WRK_JSON {…}" gives the counts and latency percentiles (microseconds). wrk's latency is the
-- time from writing a request to reading the last byte of its response: the full response.

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  for i = 2, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"mean":%.1f,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
