import json, sys, urllib.request
B = sys.argv[1]; N = int(sys.argv[2])
def post(path, body, token=None):
    req = urllib.request.Request(B + path, data=json.dumps(body).encode(), method="POST")
    if token: req.add_header("Authorization", "Bearer " + token)
    return json.load(urllib.request.urlopen(req))
tok = post("/api/v1/setup", {"server_url": "https://x.example", "admin": {"name": "A", "email": "a@example.com", "password": "pw"}})["token"]
req = urllib.request.Request(B + "/api/v1/fleet/spec/enroll_secret", headers={"Authorization": "Bearer " + tok})
secret = json.load(urllib.request.urlopen(req))["spec"]["secrets"][0]["secret"]
keys = []
for i in range(N):
    nk = post("/api/v1/osquery/enroll", {"enroll_secret": secret, "host_identifier": f"h{i}", "host_details": {"os_version": {"platform": "ubuntu"}, "system_info": {"hostname": f"h{i}"}}})["node_key"]
    q = post("/api/v1/osquery/distributed/read", {"node_key": nk})["queries"]
    post("/api/v1/osquery/distributed/write", {"node_key": nk, "queries": {k: [] for k in q}, "statuses": {k: 0 for k in q}})
    assert post("/api/v1/osquery/distributed/read", {"node_key": nk})["queries"] == {}
    keys.append(nk)
with open("keys.lua", "w") as f:
    f.write("keys = {" + ",".join(json.dumps(k) for k in keys) + "}\n")
