-- bench/webhook.lua - wrk script for bench/webhook.sh: POSTs the
-- Alertmanager example (2 alerts) with keep-alive; each request gets fresh
-- fingerprints so every event is new work for the store, not a duplicate.
local path = os.getenv("WH_FIXTURE")
local f = assert(io.open(path, "rb"))
local template = f:read("*a")
f:close()
local counter = 0
local tid = 0

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
end

function request()
  counter = counter + 1
  local p = string.format("%x%08x", tid or 0, counter)
  local body = template:gsub("a1bc48475b20e73d", "a" .. p):gsub("c2ea85182f28cbd9", "c" .. p)
  return wrk.format("POST", "/hooks/alertmanager",
                    { ["Content-Type"] = "application/json" }, body)
end
