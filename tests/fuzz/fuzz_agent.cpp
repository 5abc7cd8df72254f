/// The osquery agent bodies (http/agent_codec.hpp): the body itself (gzip or
/// not), node_key, enroll, log and distributed/write, and what the registry does
/// with detail query answers and enroll host_details (model/host.hpp:
/// ingest_detail, ingest_enroll_details, the online window).
/// Input: the first byte picks the encoding ('g' gzip, anything else identity).

#include "http/agent_codec.hpp"
#include "model/host.hpp"
#include "model/json.hpp"
#include "model/query_name.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

void ingest(const boost::json::object& body) {
    flotilla::host h;
    if (const auto* details = body.if_contains("host_details"); details && details->is_object())
        flotilla::ingest_enroll_details(h, details->get_object());
    auto results = flotilla::http::decode_write(body);
    if (!results)
        return;
    for (const auto& r : *results) {
        const auto q = flotilla::parse_query_name(r.name);
        (void)flotilla::ingest_detail(
            h, q && q->kind == flotilla::query_kind::detail ? std::string(q->detail) : r.name,
            r.rows);
    }
    (void)flotilla::status_of(h, flotilla::seconds_to_micros(1'800'000'000));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto body = flotilla::http::decode_agent_body(text, data[0] == 'g' ? "gzip" : "");
    if (!body)
        return 0;
    (void)flotilla::http::decode_node_key(*body);
    (void)flotilla::http::decode_enroll(*body);
    (void)flotilla::http::decode_log(*body);
    ingest(*body);
    return 0;
}
