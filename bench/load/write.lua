-- Writes for LOAD-02: each connection creates a draft (POST /api/v1/articles/, unique slug)
-- or edits one it created (PATCH with If-Match: the ETag its POST answered with), in turn.
-- The token comes from the LOAD_TOKEN environment variable. done() prints "STATUSES {json}"
-- with the answers counted by status code, and "WRITES {json}" with POSTs and PATCHes sent.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  token = os.getenv("LOAD_TOKEN")
  run = os.getenv("LOAD_RUN") or "0"
  n = 0
  queue = {}
  statuses = {}
  posts, patches = 0, 0
end

local function headers(extra)
  local h = {["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function request()
  n = n + 1
  if n % 2 == 0 and #queue > 0 then
    local item = table.remove(queue, 1)
    patches = patches + 1
    local body = string.format('{"dek": "Edited by load test %d"}', n)
    return wrk.format("PATCH", "/api/v1/articles/" .. item.id .. "/", headers({["If-Match"] = item.etag}), body)
  end
  posts = posts + 1
  local slug = string.format("load-%s-%d-%d", run, tid, n)
  local body = string.format(
    '{"site": 1, "headline": "Load test %s", "slug": "%s", "body": "<p>Written under load, number %d.</p>"}', slug, slug, n)
  return wrk.format("POST", "/api/v1/articles/", headers(), body)
end

function response(status, hdrs, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local id = string.match(body, '"id":%s*(%d+)')
    local etag = hdrs["ETag"] or hdrs["etag"]
    if id and etag and #queue < 1000 then queue[#queue + 1] = {id = id, etag = etag} end
  end
end

function done(summary, latency, requests)
  local total, sent = {}, {posts = 0, patches = 0}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
    sent.posts = sent.posts + thread:get("posts")
    sent.patches = sent.patches + thread:get("patches")
  end
  local parts = {}
  for status, count in pairs(total) do parts[#parts + 1] = string.format('"%d": %d', status, count) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
  io.write(string.format('WRITES {"posts": %d, "patches": %d}\n', sent.posts, sent.patches))
end
