dofile("keys.lua")
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = i + 1
  return wrk.format(nil, "/api/v1/osquery/distributed/read", nil, '{"node_key":"' .. keys[(i % #keys) + 1] .. '"}')
end
