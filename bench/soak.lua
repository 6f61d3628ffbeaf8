-- soak.lua — wrk script for bench/soak.sh: a mixed load of 80 % reads and 20 % writes by one
-- filer. Of every 100 requests: 50 GET /api/v1/filings/{id}, 20 GET /api/v1/filings?limit=20,
-- 10 GET /api/v1/workflow, 19 PUT /api/v1/filings/{id}/document (If-Match: *, each body with a
-- description of its own, so every save is a real write) and 1 POST /api/v1/filings (a new draft:
-- the store grows as it does in use). Reads and saves cycle over the drafts in BENCH_FILINGS.
-- Environment: BENCH_TOKEN, BENCH_DOC (the document with __COUNTER__), BENCH_FILINGS,
-- BENCH_SYSTEM (the system new drafts are made for), BENCH_SLICE (keeps descriptions unique
-- across runs). done() prints one line:
--   BENCH requests duration_us p50_us p99_us errors connect read write timeout status non2xx-by-code
local token = os.getenv("BENCH_TOKEN")
local f = assert(io.open(os.getenv("BENCH_DOC"), "r"))
local doc = f:read("*a")
f:close()
local ids = {}
for id in string.gmatch(os.getenv("BENCH_FILINGS") or "1", "[^,]+") do ids[#ids + 1] = id end
local system = os.getenv("BENCH_SYSTEM") or "1"
local slice = os.getenv("BENCH_SLICE") or "0"
local auth = "Bearer " .. token
local counter = 0
local thread_id = 0
local threads = {}
codes = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  threads[#threads + 1] = thread
end

local function get(path)
  return wrk.format("GET", path, { ["Authorization"] = auth })
end

request = function()
  counter = counter + 1
  local t = tid or 0
  local k = counter % 100
  local id = ids[((counter * 7 + t * 13) % #ids) + 1]
  if k < 50 then
    return get("/api/v1/filings/" .. id)
  elseif k < 70 then
    return get("/api/v1/filings?limit=20")
  elseif k < 80 then
    return get("/api/v1/workflow")
  elseif k < 99 then
    local body = doc:gsub("__COUNTER__", slice .. "-" .. t .. "-" .. counter)
    return wrk.format("PUT", "/api/v1/filings/" .. id .. "/document", {
      ["Authorization"] = auth, ["Content-Type"] = "application/json", ["If-Match"] = "*",
    }, body)
  else
    return wrk.format("POST", "/api/v1/filings", {
      ["Authorization"] = auth, ["Content-Type"] = "application/json",
    }, '{"system_id":' .. system .. '}')
  end
end

-- counts the answers that are not 2xx by status code (per thread; summed in done)
response = function(status, headers, body)
  if status < 200 or status > 299 then
    codes[status] = (codes[status] or 0) + 1
  end
end

done = function(summary, latency, requests)
  local byc, n = {}, 0
  for _, th in ipairs(threads) do
    for code, c in pairs(th:get("codes") or {}) do byc[code] = (byc[code] or 0) + c end
  end
  local parts = {}
  for code, c in pairs(byc) do parts[#parts + 1] = code .. "x" .. c; n = n + c end
  table.sort(parts)
  local e = summary.errors
  -- wrk counts only status > 399 in errors.status; the non-2xx count from response() covers 3xx too
  local status = math.max(e.status, n)
  io.write(string.format("BENCH %d %d %.0f %.0f %d %d %d %d %d %d %s\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout + status, e.connect, e.read, e.write, e.timeout,
    status, #parts > 0 and table.concat(parts, ",") or "-"))
end
