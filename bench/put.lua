-- put.lua — wrk script: saves draft documents again and again, each time with a different
-- description so that every request is a real write, cycling over the drafts listed in
-- BENCH_FILINGS (comma-separated ids) as enterprises save many drafts at once. The token and the
-- document come from the environment (BENCH_TOKEN) and the file named by BENCH_DOC.
local token = os.getenv("BENCH_TOKEN")
local f = assert(io.open(os.getenv("BENCH_DOC"), "r"))
local doc = f:read("*a")
f:close()
local ids = {}
for id in string.gmatch(os.getenv("BENCH_FILINGS") or "1", "[^,]+") do ids[#ids + 1] = id end
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

request = function()
  counter = counter + 1
  local body = doc:gsub("__COUNTER__", tostring(tid or 0) .. "-" .. tostring(counter))
  local id = ids[((counter + (tid or 0) * 7) % #ids) + 1]
  return wrk.format("PUT", "/api/v1/filings/" .. id .. "/document", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["If-Match"] = "*",
  }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %.0f %.0f %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), summary.errors.status + summary.errors.connect +
    summary.errors.read + summary.errors.write + summary.errors.timeout))
end
