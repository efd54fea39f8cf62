-- wrk script for benchmarks/workers.py: each connection asks for the paths given in the
-- environment variable WRK_PATHS (separated by spaces) in turn, accepting gzip as a browser
-- does, and the run ends with one machine-readable line:
--   RESULT <answers> <non-2xx/3xx answers> <socket errors and timeouts> <microseconds>
-- The requests are formatted once, at start, so that the generator's CPU per request stays a
-- few microseconds.
local requests = {}
local next_request = 0

init = function(args)
  for path in string.gmatch(os.getenv("WRK_PATHS") or "/", "%S+") do
    requests[#requests + 1] = wrk.format("GET", path, { ["Accept-Encoding"] = "gzip, deflate" })
  end
end

request = function()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT %d %d %d %d\n",
    summary.requests,
    errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    summary.duration
  ))
end
