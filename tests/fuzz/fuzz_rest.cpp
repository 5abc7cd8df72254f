/// The REST bodies that are not specs: setup (and its server_url validation),
/// login, live query run / run_by_names (and the ATTACH check on its SQL), the
/// users routes' bodies (user payloads, passwords, the user_roles spec), the
/// saved query routes' payload and id list, and the teams routes' and host
/// transfers' bodies.

#include "http/query_codec.hpp"
#include "http/rest_codec.hpp"
#include "http/team_codec.hpp"
#include "http/user_codec.hpp"
#include "model/app_config.hpp"
#include "model/query.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    if (auto setup = flotilla::http::decode_setup(body))
        (void)flotilla::validate_server_url(setup->server_url);
    (void)flotilla::http::decode_login(body);
    for (bool by_names : {false, true})
        if (auto run = flotilla::http::decode_run(body, by_names); run && run->sql)
            (void)flotilla::has_attach(*run->sql);
    for (bool creating : {false, true})
        (void)flotilla::http::decode_user_payload(body, creating);
    (void)flotilla::http::decode_password_change(body);
    (void)flotilla::http::decode_require_reset(body);
    (void)flotilla::http::decode_user_roles_spec(body);
    if (auto p = flotilla::http::decode_query_payload(body); p && p->sql)
        (void)flotilla::has_attach(*p->sql);
    if (auto ids = flotilla::http::decode_query_ids(body))
        for (auto id : *ids)
            if (id < 0)
                __builtin_trap(); // ids are whole numbers from 0
    (void)flotilla::http::decode_team_payload(body);
    if (auto o = flotilla::http::decode_agent_options(body); o && !o->is_object())
        __builtin_trap(); // agent options are an object
    (void)flotilla::http::decode_team_secrets(body);
    if (auto members = flotilla::http::decode_team_members(body))
        for (const auto& m : *members)
            if (m.user_id <= 0)
                __builtin_trap(); // user ids are positive
    (void)flotilla::http::decode_transfer(body);
    (void)flotilla::http::decode_transfer_filter(body);
    return 0;
}
