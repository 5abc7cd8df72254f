/// The barrage beyond the generated variants: encodings, headers and framing.

#include "http/gzip.hpp"
#include "tests/integration/robust_barrage.hpp"

#include <zlib.h>

namespace flotilla::testing::robust {

namespace bj = boost::json;

namespace {

/// `n` zero bytes, gzip-compressed (about a thousandth of the size).
std::string gzip_of_zeros(std::size_t n) {
    z_stream zs{};
    deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
    const std::string zeros(64 * 1024, '\0');
    std::string out;
    char buf[64 * 1024];
    for (std::size_t done = 0; done <= n;) {
        const std::size_t chunk = std::min(zeros.size(), n - done);
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
        zs.avail_in = static_cast<uInt>(chunk);
        done += chunk;
        const int flush = done == n ? Z_FINISH : Z_NO_FLUSH;
        do {
            zs.next_out = reinterpret_cast<Bytef*>(buf);
            zs.avail_out = sizeof buf;
            deflate(&zs, flush);
            out.append(buf, sizeof buf - zs.avail_out);
        } while (zs.avail_out == 0);
        if (flush == Z_FINISH)
            break;
    }
    deflateEnd(&zs);
    return out;
}

} // namespace

void barrage::other_inputs(const state& st) {
    const route_spec write{"POST", "/api/v1/osquery/distributed/write", family::agent};
    const header_list gzip = {{"Content-Encoding", "gzip"}};
    for (const std::string& body : {std::string("not gzip"), std::string("\x1f\x8b\x08\x00", 4),
                                    std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10)})
        probe(write, mode::valid, "Content-Encoding: gzip, body not gzip", write.pattern, body,
              {false, 400}, gzip);
    // Past the inflated limit in about 80 KB: refused once inflated past it.
    probe(write, mode::valid, "a gzip bomb", write.pattern,
          gzip_of_zeros(http::max_inflated_bytes + (1u << 20)), {false, 413}, gzip);

    // Detail query answers with numbers at and past the ends of int64: taken
    // (osquery sends strings; a bad one leaves the field as it was), never a fault.
    for (const char* n : {"9223372036854775807", "-9223372036854775808", "99999999999999999999",
                          "-1", "1e400", "0x10", ""}) {
        const bj::object rows{
            {"fleet_detail_query_uptime", bj::array{bj::object{{"total_seconds", n}}}},
            {"fleet_detail_query_osquery_flags",
             bj::array{bj::object{{"name", "distributed_interval"}, {"value", n}},
                       bj::object{{"name", "config_tls_refresh"}, {"value", n}},
                       bj::object{{"name", "logger_tls_period"}, {"value", n}}}},
            {"fleet_detail_query_system_info", bj::array{bj::object{{"hostname", "agent-1.local"},
                                                                    {"cpu_logical_cores", n},
                                                                    {"physical_memory", n}}}}};
        probe(write, mode::valid, std::string("detail queries with ") + n, write.pattern,
              bj::serialize(bj::object{{"node_key", st.node_key}, {"queries", rows}}), {true, 0});
    }

    // The ATTACH check scans a long query without running out of stack.
    const route_spec queries{"POST", "/api/v1/fleet/spec/queries"};
    std::string sql = "ATTACH ";
    for (int i = 0; i < 50000; ++i)
        sql += "x ";
    sql += "AS y";
    probe(queries, mode::valid, "a 100 KB query after ATTACH", queries.pattern,
          bj::serialize(bj::object{
              {"specs", bj::array{bj::object{{"name", "rb-long-attach"}, {"query", sql}}}}}),
          {false, 422}, {{"Authorization", "Bearer " + st.token}});

    // Authorization headers that are not a bearer token of a session.
    const route_spec me{"GET", "/api/v1/fleet/me"};
    for (const std::string& h :
         {std::string("Bearer"), std::string("Bearer "), std::string("Bearer a b"),
          std::string("Basic YTpi"), "Bearer " + std::string(8000, 'A'),
          std::string("Bearer \xff\xfe\xc0\xaf"), "bearer " + st.token + "x"})
        probe(me, mode::bad_credentials, "Authorization: " + h.substr(0, 20), me.pattern, "",
              {false, 401}, {{"Authorization", h}});

    // Malformed HTTP framing, each on its own connection: an answer, then a close.
    const std::string login = "POST /api/v1/fleet/login HTTP/1.1\r\nHost: x\r\n";
    const std::vector<std::pair<std::string, std::string>> raw = {
        {"Content-Length past 2^64", login + "Content-Length: 99999999999999999999\r\n\r\n"},
        {"a negative Content-Length", login + "Content-Length: -1\r\n\r\n"},
        {"two Content-Lengths", login + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
        {"a bad chunk size", login + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
        {"a NUL in a header", login + "X-Rb: a" + std::string(1, '\0') + "b\r\n\r\n"},
        {"a raw 0xff in the target", "GET /api/v1/fleet/me\xff HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"a request line that is not one", "GARBAGE\r\n\r\n"},
        {"a body past the limit", login + "Content-Length: 20000000\r\n\r\n{}"},
    };
    for (const auto& [what, bytes] : raw) {
        ++sent_;
        try {
            http_client c(srv_.port());
            c.send_raw(bytes);
            auto r = c.read_reply();
            if (r.status < 400 || r.status >= 500)
                fail("raw request (" + what + "): " + std::to_string(r.status) + " " + r.body);
            else if (auto f = r.body.empty() ? std::string("an empty body") : std::string();
                     !f.empty() || bj::parse(r.body).as_object().if_contains("errors") == nullptr)
                fail("raw request (" + what + "): not the envelope: " + r.body);
        } catch (const std::exception& e) {
            fail("raw request (" + what + "): no answer (" + e.what() + ")");
        }
    }
}

} // namespace flotilla::testing::robust
