-- wrk script: POST (or GET) to WRK_PATH with bearer tokens of several users, round robin;
-- WRK_BODY (JSON, "{n}" replaced by a counter) is sent when set.
-- Tokens come one per line from the file named by WRK_TOKENS.
local tokens = {}
for line in io.lines(os.getenv("WRK_TOKENS")) do
  tokens[#tokens + 1] = line
end
local method = os.getenv("WRK_METHOD") or "POST"
local path = os.getenv("WRK_PATH")
local body = os.getenv("WRK_BODY")
local counter = 0

request = function()
  counter = counter + 1
  local headers = { ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1] }
  if body then
    headers["Content-Type"] = "application/json"
    -- a distinct file name per request, like real uploads
    return wrk.format(method, path, headers, (body:gsub("{n}", tostring(counter))))
  end
  return wrk.format(method, path, headers, nil)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d duration_s=%.1f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, errors, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
