#!/usr/bin/env python3
"""Writes the seed corpora under tests/fuzz/corpus/<harness>/ from the JSON bodies
of Fleet's API documents (the seed documents, given as arguments) and the bodies
used in tests/. Deterministic: a file is named by the SHA-1 of its bytes. Run from
the repository root: tests/fuzz/make_corpus.py /work/shared/seeds/*.txt"""

import glob
import gzip
import hashlib
import json
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")
MAX_FILES = 40


# The saved query routes' bodies: a payload with ATTACH, ids out of range.
REST_QUERY_SEEDS = [
    '{"name":"q","description":"","query":"ATTACH \'/x\' AS y","observer_can_run":true}',
    '{"ids":[1,2,18446744073709551615,-1,2.0]}',
]


def doc_bodies(paths):
    """Every fenced block of the documents that is JSON (placeholders fixed)."""
    for p in paths:
        text = open(p, encoding="utf-8").read()
        for m in re.finditer(r"```\w*\n(.*?)```", text, re.S):
            body = re.sub(r"^\s*//.*$", "", m.group(1), flags=re.M)
            body = body.replace("<insert_token_here>", '"token"').strip()
            try:
                json.loads(body)
                yield body
            except ValueError:
                pass


def test_bodies():
    """Raw string literals in tests/ that are JSON."""
    for p in sorted(glob.glob(os.path.join(ROOT, "tests", "**", "*.cpp"), recursive=True)):
        if "/fuzz/" in p:
            continue
        for m in re.finditer(r'R"\((.*?)\)"', open(p, encoding="utf-8").read(), re.S):
            try:
                json.loads(m.group(1))
                yield m.group(1)
            except ValueError:
                pass


def keys(body):
    v = json.loads(body)
    return set(v) if isinstance(v, dict) else set()


def write(harness, items):
    d = os.path.join(OUT, harness)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    seen = []
    for it in items:
        b = it if isinstance(it, bytes) else it.encode()
        if b not in seen:
            seen.append(b)
    # Keep the corpus small: the first MAX_FILES (documents' examples come first).
    for b in seen[:MAX_FILES]:
        with open(os.path.join(d, hashlib.sha1(b).hexdigest()), "wb") as f:
            f.write(b)
    print(f"{harness}: {min(len(seen), MAX_FILES)} files")


def main(docs):
    bodies = list(dict.fromkeys(list(doc_bodies(docs)) + list(test_bodies())))
    compact = [json.dumps(json.loads(b), separators=(",", ":")) for b in bodies]

    write("json", ['{"i":1e999}', '{"i":-9.3e18}', '{"i":9223372036854775808}',
                   '{"a":[[[[[]]]]]}', '{"s":"\\ud800"}', '{"k":1,"k":2}', "[1,2]", '""', "null"] +
          [b for b in bodies if len(b) < 600])

    write("specs", ['{"specs":[{"name":"p","queries":[{"query":"q","interval":1e300}]}]}',
                    '{"specs":[{"name":"p","interval":-1}]}',
                    # both a team (agent options) and a pack (queries): a served config
                    '{"specs":[{"name":"t","agent_options":{"config":{"options":'
                    '{"distributed_interval":10}},"overrides":{"platforms":{"darwin":'
                    '{"options":{"a":1}}}}},"platform":"linux","queries":[{"query":"q",'
                    '"name":"n","interval":60,"snapshot":true,"shard":5,"removed":false}]}]}'] +
          [b for b in compact if keys(b) & {"specs", "spec"}])

    rest_keys = {"server_url", "admin", "org_info", "email", "password", "query", "query_id",
                 "selected", "ids"}
    write("rest", ['{"query_id":1.5e19,"selected":{"hosts":[18446744073709551615]}}',
                   '{"EMAIL":"A@B.C","Password":"x"}'] + REST_QUERY_SEEDS +
          [b for b in compact if keys(b) & rest_keys])

    messages = [b for b in compact if "type" in keys(b)]
    arrays = [b for b in compact if b.startswith("[{")]
    frames = [json.dumps([m]) for m in messages[:8]] + [json.dumps(messages[:3]), "[]", "[1]"]
    write("stream", ["", "o", '[{"type":"auth"},2]', "[[]]"] + frames + messages + arrays)

    agent = [
        '{"enroll_secret":"s","host_identifier":"h","platform_type":"9","host_details":'
        '{"os_version":{"platform":"ubuntu","version":"22.04"},"system_info":{"hostname":"h",'
        '"uuid":"u","cpu_brand":"x","physical_memory":"1024"},"osquery_info":{"version":"5.9.1"}}}',
        '{"enroll_secret":"s","host_identifier":"h"}',
        '{"node_key":"k"}',
        '{"node_key":"k","queries":{"fleet_distributed_query_1":[{"a":"1","b":null,"c":2}]},'
        '"statuses":{"fleet_distributed_query_1":0},"messages":{"fleet_distributed_query_1":""}}',
        '{"node_key":"k","queries":{"q":[]},"statuses":{"q":"-"}}',
        '{"node_key":"k","queries":{"q":""},"statuses":{"q":"1"}}',
        '{"node_key":"k","queries":{"q":[]},"statuses":{"q":99999999999999999999}}',
        '{"node_key":"k","log_type":"result","data":[{"name":"pack/p/q","hostIdentifier":"h",'
        '"calendarTime":"Mon Jan  1 00:00:00 2024 UTC","unixTime":1704067200,"epoch":0,'
        '"counter":0,"numerics":false,"columns":{"a":"1"},"action":"added"}]}',
        '{"node_key":"k","log_type":"status","data":[{"severity":"0","filename":"f.cpp",'
        '"line":"1","message":"m","version":"5.9.1"}]}',
        '{"node_key":"k","log_type":"snapshot","data":[]}',
        '{"node_key":"k","queries":{"fleet_detail_query_uptime":[{"total_seconds":"12"}],'
        '"fleet_detail_query_osquery_flags":[{"name":"distributed_interval","value":"10"},'
        '{"name":"config_refresh","value":"60"},{"name":"logger_tls_period","value":"10"}],'
        '"fleet_detail_query_network_interface":[{"address":"10.0.0.1","mac":"m",'
        '"interface":"eth0"}]},"statuses":{"fleet_detail_query_uptime":0}}',
        # overflowed uptime * 1e9 (UBSan) before the range check in model/host.cpp
        '{"node_key":"k","queries":{"fleet_detail_query_uptime":[{"total_seconds":"9999999999999"}]}}',
        '{"node_key":"k","queries":{"fleet_detail_query_os_version":[{"name":"Ubuntu","major":"22"}],'
        '"fleet_detail_query_system_info":[{"hostname":"h","physical_memory":"1024"}]}}',
    ] + [b for b in compact if keys(b) & {"node_key", "enroll_secret"}]
    # The agent harness: the first byte picks the encoding ('i' identity, 'g' gzip).
    write("agent", [b"i" + a.encode() for a in agent] +
          [b"g" + gzip.compress(a.encode(), mtime=0) for a in agent[:6]])

    write("gzip", [gzip.compress(a.encode(), mtime=0) for a in agent] +
          [gzip.compress(b"", mtime=0), gzip.compress(b"\0" * (2 << 20), mtime=0),
           gzip.compress(agent[0].encode(), mtime=0)[:30], b"\x1f\x8b", b"not gzip"])

    paths = sorted(set(re.findall(r"`(?:GET|POST|PATCH|DELETE) (/api/[^` ?]*)",
                                  "".join(open(p, encoding="utf-8").read() for p in docs))))
    targets = [b"\x00/api/v1/fleet/spec/queries/a%20b?x=1", b"\x00/api/v1/fleet/spec/labels/a%2Fb",
                b"\x01/api/v1/fleet/results/1/abc/xhr_send", b"\x00/api/v1/fleet/spec/packs/%zz",
                b"\x00//", b"\x00/a/../b", b"\x00*", b"\x01/api/osquery/enroll#f"]
    targets += [b"\x00" + p.encode() for p in paths] + [b"\x01" + p.encode() for p in paths]
    write("router", targets)

    write("config", [
        "serve\nserver:\n  address: 127.0.0.1:8080\n  tls: false\nlogging:\n  debug: true\n",
        "serve\nmysql:\n  address: 127.0.0.1:3306\n  username: fleet\n  password: x\n",
        "serve\nosquery:\n  detail_update_interval: 30m\n  label_update_interval: 10s\n",
        "serve\nlive_query:\n  subscribe_timeout: 60s\nsqlite:\n  path: /tmp/x.db\n",
        "prepare db --mysql_address 127.0.0.1:3306\n",
        "serve --server_address [::1]:8080\nserver:\n  address: x\n",
        "serve\nserver: [1, 2]\n",
        "serve\nfoo: bar\n",
        "serve\n- a\n- b\n",
        "serve\nserver:\n  address: &a '1:2'\n  cert: *a\n",
        "serve\nosquery:\n  detail_update_interval: 99999999999999999999h\n",
        "--help\n",
        "serve\n[a]: 1\n",  # threw YAML::BadConversion out of parse_command_line
        "serve\nserver:\n  [a]: 1\n",
    ])


if __name__ == "__main__":
    main(sys.argv[1:])
