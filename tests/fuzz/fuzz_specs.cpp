/// Every spec apply body decoder (queries, packs, labels, teams, policies,
/// enroll secrets) and the validation that follows it, on one parsed body.

#include "http/rest_codec.hpp"
#include "model/json.hpp"
#include "model/label.hpp"
#include "model/pack.hpp"
#include "model/policy.hpp"
#include "model/query.hpp"
#include "model/team.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

template <class Specs> void validate_each(const Specs& specs) {
    if (!specs)
        return;
    for (const auto& s : *specs)
        (void)flotilla::validate(s);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto body =
        flotilla::json::parse_object(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!body)
        return 0;
    (void)flotilla::spec_objects(*body);
    validate_each(flotilla::decode_query_specs(*body));
    validate_each(flotilla::decode_pack_specs(*body));
    validate_each(flotilla::decode_label_specs(*body));
    validate_each(flotilla::decode_team_specs(*body));
    validate_each(flotilla::decode_policy_specs(*body));
    (void)flotilla::http::decode_enroll_secrets(*body);
    return 0;
}
