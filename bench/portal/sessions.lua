-- wrk script: every request carries the cookie of a portal session taken from a file of
-- session tokens (one `ace_session` value per line, as `portal_bench setup|sessions --tokens`
-- writes them), plus a CSRF cookie as a browser that has seen a page would send.
--
--   wrk -t2 -c64 -d30s --latency -s bench/portal/sessions.lua URL -- TOKENS_FILE 2 [once]
--
-- The second argument repeats wrk's thread count (-t). Thread k of n takes tokens k+1, k+1+n,
-- k+1+2n, ... and cycles through them, so with 64 tokens and 64 connections 64 sessions are in
-- use at once. With `once`, each thread stops after one
-- response per token it holds: every session in the file makes (at least) one request.
-- At the end it prints the responses by status: wrk itself counts only 4xx and 5xx as errors, and
-- an unknown or expired session is a 303 to /login.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local mine, next_i, answered, once = {}, 0, 0, false
local csrf = string.rep("ab", 32)

function init(args)
  local file = args[1] or error("usage: -- TOKENS_FILE THREADS [once]")
  local n = tonumber(args[2] or error("usage: -- TOKENS_FILE THREADS [once]"))
  once = args[3] == "once"
  local i = 0
  for line in io.lines(file) do
    if line ~= "" then
      if i % n == id then
        mine[#mine + 1] = line
      end
      i = i + 1
    end
  end
  if #mine == 0 then
    error("no tokens for thread " .. id .. " in " .. file)
  end
end

function request()
  next_i = next_i % #mine + 1
  -- Headers given with -H (e.g. Accept-Encoding) go along too.
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Cookie"] = "ace_session=" .. mine[next_i] .. "; ace_csrf=" .. csrf
  return wrk.format(nil, nil, headers)
end

-- Global, so that done() can read it from each thread.
statuses = {}

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if once then
    answered = answered + 1
    if answered >= #mine then
      wrk.thread:stop()
    end
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    parts[#parts + 1] = status .. ": " .. n
  end
  table.sort(parts)
  io.write("  responses by status: " .. table.concat(parts, ", ") .. "\n")
end
