-- wrk: count every answer that is not a 200 (wrk itself counts a 302 as a success) and print
-- one machine-readable line at the end, with the p95 that wrk's own summary lacks.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not200 = 0
end

function response(status, headers, body)
  if status ~= 200 then
    not200 = not200 + 1
  end
end

function done(summary, latency, requests)
  local e, bad = summary.errors, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not200")
  end
  io.write(string.format("BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p95_us=%d not200=%d errors=%d\n",
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(95), bad, e.connect + e.read + e.write + e.timeout))
end
