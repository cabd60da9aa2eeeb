-- Reads for LOAD-01/03: GET the paths given after "--" in turn (or the URL's own path) and
-- count the answers by status code. done() prints one line, "STATUSES {json}", for bench/load.py.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for i = 1, #args do paths[#paths + 1] = args[i] end
  turn = 0
  statuses = {}
end

function request()
  if #paths == 0 then return wrk.format("GET") end
  turn = turn % #paths + 1
  return wrk.format("GET", paths[turn])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(total) do parts[#parts + 1] = string.format('"%d": %d', status, count) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end
