/// The barrage's setup and baseline, its run over every route, and the checks
/// afterwards: alive, answering, and holding exactly what accepted requests
/// put there.

#include "tests/integration/robust_barrage.hpp"
#include "tests/support/agent.hpp"

#include <set>

namespace flotilla::testing::robust {

namespace bj = boost::json;

namespace {

/// The names of `specs` in a body a spec route accepted.
std::set<std::string> spec_names(const std::string& body) {
    std::set<std::string> out;
    boost::system::error_code ec;
    auto v = bj::parse(body, ec);
    const auto* specs = !ec && v.is_object() ? v.as_object().if_contains("specs") : nullptr;
    if (specs && specs->is_array())
        for (const auto& s : specs->as_array())
            if (const auto* o = s.if_object())
                if (const auto* n = o->if_contains("name"); n && n->is_string())
                    out.emplace(n->as_string());
    return out;
}

/// The `name` of a body POST /queries, /reports or /labels accepted.
std::set<std::string> payload_name(const std::string& body) {
    boost::system::error_code ec;
    auto v = bj::parse(body, ec);
    const auto* name = !ec && v.is_object() ? v.as_object().if_contains("name") : nullptr;
    if (name && name->is_string())
        return {std::string(name->as_string())};
    return {};
}

/// The secrets of an enroll-secret body that was accepted.
std::set<std::string> secret_values(const std::string& body) {
    std::set<std::string> out;
    auto v = bj::parse(body);
    const auto* spec = v.as_object().if_contains("spec");
    const auto* secrets =
        spec && spec->is_object() ? spec->as_object().if_contains("secrets") : nullptr;
    if (secrets && secrets->is_array())
        for (const auto& s : secrets->as_array())
            out.emplace(s.at("secret").as_string());
    return out;
}

std::set<std::string> keys(const std::map<std::string, bj::value>& m) {
    std::set<std::string> out;
    for (const auto& [k, v] : m)
        out.insert(k);
    return out;
}

std::string joined(const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s)
        out += (out.empty() ? "" : ", ") + x;
    return out;
}

} // namespace

state barrage::setup_and_baseline() {
    state st;
    st.hostname = "agent-1.local";
    auto must = [&](const std::string& method, const std::string& target, const std::string& body,
                    const header_list& h = {}) -> bj::value {
        auto r = send(method, target, body, h);
        if (!r || r->status != 200) {
            fail("baseline " + method + " " + target + ": " +
                 (r ? std::to_string(r->status) + " " + r->body : "no answer"));
            fatal_ = true;
            return nullptr;
        }
        return r->body.empty() || r->body.front() != '{' ? bj::value() : bj::parse(r->body);
    };
    must("POST", "/api/v1/setup", R"({"server_url":"https://rb.example.com",
        "org_info":{"org_name":"Acme"},"admin":{"name":"Admin","email":"admin@example.com",
        "password":"correct horse battery staple"}})");
    if (fatal_)
        return st;
    setup_done_ = true;
    // The barrage's token comes from a login (setup's own token stays unused).
    auto login = must("POST", "/api/v1/fleet/login",
                      R"({"email":"admin@example.com","password":"correct horse battery staple"})");
    if (fatal_)
        return st;
    st.token = std::string(login.at("token").as_string());
    const header_list admin = {{"Authorization", "Bearer " + st.token}};
    auto secrets = must("GET", "/api/v1/fleet/spec/enroll_secret", "", admin);
    if (fatal_)
        return st;
    st.secret = std::string(secrets.at("spec").at("secrets").at(0).at("secret").as_string());

    // rb-base-team (id 1) is a pack's target; the teams routes change rb-edit-team (id 2).
    must("POST", "/api/v1/fleet/spec/teams",
         R"({"specs":[{"name":"rb-base-team"},{"name":"rb-edit-team"}]})", admin);
    must("POST", "/api/v1/fleet/spec/queries", R"({"specs":[
        {"name":"rb-base-q","query":"select 1","description":"base"},
        {"name":"rb-q","query":"select 2","observer_can_run":true}]})",
         admin);
    must("POST", "/api/v1/fleet/spec/labels", R"({"specs":[
        {"name":"rb-base-label","query":"select 1","description":"base"},
        {"name":"rb-l","query":"select 3","platform":"darwin"}]})",
         admin);
    must("POST", "/api/v1/fleet/spec/packs", R"({"specs":[{"name":"rb-p","description":"base",
        "targets":{"labels":["rb-base-label"],"teams":["rb-base-team"]},
        "queries":[{"query":"rb-base-q","name":"rb-base-q","interval":60,"shard":5}]}]})",
         admin);
    must("POST", "/api/v1/fleet/spec/policies",
         R"({"specs":[{"name":"rb-base-pol","query":"select 1","description":"base"}]})", admin);
    if (fatal_)
        return st;

    agent_ = std::make_unique<simulated_agent>(srv_.port(), client_options{}, agent_identity{});
    if (agent_->enroll(st.secret) != 200) {
        fail("baseline: the agent did not enroll");
        fatal_ = true;
        return st;
    }
    agent_->check_in();
    st.node_key = agent_->node_key();
    // The first host of a fresh store has id 1: a live query on it is a campaign.
    st.host_id = 1;
    must("POST", "/api/v1/fleet/queries/run", R"({"query":"select 1","selected":{"hosts":[1]}})",
         admin);
    return st;
}

void barrage::every_route(const state& st) {
    for (const auto& r : all_routes()) {
        std::vector<mode> modes;
        if (r.fam == family::agent)
            modes = {mode::bad_credentials, mode::valid};
        else if (r.fam == family::sockjs || r.fam == family::open || is_setup(r.pattern) ||
                 r.pattern.ends_with("/fleet/login"))
            modes = {mode::none};
        else if (r.unauthenticated_only)
            modes = {mode::none, mode::bad_credentials};
        else if (r.example)
            modes = {mode::none, mode::valid};
        else
            modes = {mode::none, mode::bad_credentials, mode::valid};
        for (auto m : modes) {
            route_bodies(r, m, st);
            route_targets(r, m, st);
        }
    }
    other_inputs(st);
}

void barrage::known_crashers(const state& st) {
    // issue 11: a status that is not a number ended the process (std::stoll).
    const route_spec write{"POST", "/api/v1/osquery/distributed/write", family::agent};
    for (const char* status : {"-", "--1", "99999999999999999999", "1-2", "-9223372036854775809"}) {
        const std::string body =
            bj::serialize(bj::object{{"node_key", st.node_key},
                                     {"queries", bj::object{{"rb_q", bj::array{}}}},
                                     {"statuses", bj::object{{"rb_q", status}}}});
        probe(write, mode::valid, std::string("statuses.rb_q = \"") + status + "\"", write.pattern,
              body, {false, 400});
        probe(write, mode::bad_credentials, std::string("statuses.rb_q = \"") + status + "\"",
              write.pattern,
              bj::serialize(bj::object{{"node_key", "rb-bogus"},
                                       {"queries", bj::object{{"rb_q", bj::array{}}}},
                                       {"statuses", bj::object{{"rb_q", status}}}}),
              {false, 0});
    }
}

stored barrage::stored_specs(const state& st) {
    stored out;
    const header_list admin = {{"Authorization", "Bearer " + st.token}};
    auto list = [&](const std::string& kind, const std::string& target, const char* field) {
        auto r = send("GET", target, "", admin);
        if (!r || r->status != 200) {
            fail("listing " + target + ": " + (r ? std::to_string(r->status) : "no answer"));
            return;
        }
        auto v = bj::parse(r->body);
        auto& by_name = out[kind];
        if (const auto& items = v.at(field); items.is_array())
            for (auto& item : items.as_array()) {
                bj::object o = item.as_object();
                if (kind == "policies") // host counts and times change as hosts check in
                    for (const char* volatile_key :
                         {"passing_host_count", "failing_host_count", "created_at", "updated_at"})
                        o.erase(volatile_key);
                by_name[std::string(o.at("name").as_string())] = o;
            }
    };
    list("queries", "/api/v1/fleet/spec/queries", "specs");
    list("packs", "/api/v1/fleet/spec/packs", "specs");
    list("labels", "/api/v1/fleet/spec/labels", "specs");
    list("policies", "/api/v1/fleet/global/policies", "policies");
    auto r = send("GET", "/api/v1/fleet/spec/enroll_secret", "", admin);
    if (r && r->status == 200) {
        auto v = bj::parse(r->body);
        if (const auto& s = v.at("spec").at("secrets"); s.is_array())
            for (const auto& e : s.as_array())
                out["secrets"][std::string(e.at("secret").as_string())] = nullptr;
    } else {
        fail("listing the enroll secrets failed");
    }
    return out;
}

void barrage::check_alive_and_consistent(const state& st, const stored& before) {
    const header_list admin = {{"Authorization", "Bearer " + st.token}};
    auto me = send("GET", "/api/v1/fleet/me", "", admin);
    if (!me || me->status != 200 || me->json().at("user").at("email") != "admin@example.com")
        fail("GET /api/v1/fleet/me afterwards: " + (me ? std::to_string(me->status) : "no answer"));

    auto applied =
        send("POST", "/api/v1/fleet/spec/queries",
             R"({"specs":[{"name":"rb-after","query":"select 42","description":"a"}]})", admin);
    auto got = send("GET", "/api/v1/fleet/spec/queries/rb-after", "", admin);
    if (!applied || applied->status != 200 || !got || got->status != 200 ||
        got->json() != bj::parse(R"({"specs":{"name":"rb-after","description":"a",
                                     "query":"select 42"}})"))
        fail("a spec apply and GET afterwards failed: " + (got ? got->body : "no answer"));

    auto read = agent_->read();
    if (read.status != 200 || !read.json().at("queries").is_object())
        fail("the agent's distributed/read afterwards: " + std::to_string(read.status) + " " +
             read.body);

    // Exactly the baseline, what accepted variants named, and rb-after.
    const std::map<std::string, std::string> routes = {{"queries", "/spec/queries"},
                                                       {"packs", "/spec/packs"},
                                                       {"labels", "/spec/labels"},
                                                       {"policies", "/spec/policies"}};
    auto after = stored_specs(st);
    for (const auto& [kind, suffix] : routes) {
        std::set<std::string> want =
            keys(before.count(kind) ? before.at(kind) : stored::mapped_type{});
        if (kind == "queries")
            want.insert("rb-after");
        for (const auto& [route, body] : accepted_) {
            if (!route.starts_with("POST "))
                continue;
            const bool queries = kind == "queries";
            if (route.ends_with(suffix) || (queries && route.ends_with("/spec/reports")))
                want.merge(spec_names(body));
            // POST /queries, /reports and /labels create one, named at the top level.
            else if ((queries &&
                      (route.ends_with("/fleet/queries") || route.ends_with("/fleet/reports"))) ||
                     (kind == "labels" && route.ends_with("/fleet/labels")))
                want.merge(payload_name(body));
        }
        const auto have = keys(after[kind]);
        if (have != want)
            fail(kind + " stored: {" + joined(have) + "}, want {" + joined(want) + "}");
        for (const auto& [name, spec] :
             before.count(kind) ? before.at(kind) : stored::mapped_type{})
            if (after[kind].count(name) && after[kind][name] != spec)
                fail(kind + " '" + name + "' changed: " + bj::serialize(after[kind][name]) +
                     ", was " + bj::serialize(spec));
    }
    std::set<std::string> secrets = keys(before.at("secrets"));
    for (const auto& [route, body] : accepted_)
        if (route == "POST /api/v1/fleet/spec/enroll_secret" ||
            route == "POST /api/latest/fleet/spec/enroll_secret")
            secrets = secret_values(body);
    if (keys(after["secrets"]) != secrets)
        fail("enroll secrets stored: {" + joined(keys(after["secrets"])) + "}, want {" +
             joined(secrets) + "}");
}

} // namespace flotilla::testing::robust
