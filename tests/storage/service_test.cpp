/// The rules in service/, against a real store: every test runs on SQLite and on
/// MariaDB. (The HTTP and stream tests check them again through the sockets.)

#include "model/secrets.hpp"
#include "service/accounts.hpp"
#include "service/agents.hpp"
#include "service/app_config.hpp"
#include "service/hosts.hpp"
#include "service/live_query.hpp"
#include "service/session.hpp"
#include "service/specs.hpp"
#include "tests/support/backends.hpp"
#include "tests/support/builders.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace flotilla;
using namespace flotilla::testing;

namespace {

class service_test : public ::testing::TestWithParam<backend> {
protected:
    void SetUp() override {
        db_ = std::make_unique<test_database>(GetParam());
        st_ = db_->open();
        ASSERT_NE(st_, nullptr);
    }
    /// A user with a session created at t0_; its token.
    std::string signed_in(const std::string& email, std::optional<role> r) {
        user u;
        u.name = email;
        u.email = email;
        u.password_hash = "$argon2id$fake";
        u.global_role = r;
        auto created = st_->new_user(u, t0_);
        EXPECT_TRUE(created);
        const std::string token = random_base64(64);
        EXPECT_TRUE(st_->new_session(created->id, digest_hex(token), t0_));
        return token;
    }
    host details(const std::string& id) {
        host h;
        h.osquery_host_id = id;
        h.hostname = id;
        h.platform = "ubuntu";
        return h;
    }
    std::unique_ptr<test_database> db_;
    std::unique_ptr<storage::store> st_;
    const micros t0_ = seconds_to_micros(1'800'000'000);
    const micros hour_ = seconds_to_micros(3600);
};

} // namespace

TEST_P(service_test, authenticate_refuses_unknown_and_empty_tokens) {
    signed_in("a@example.com", role::admin);
    for (const std::string token : {"", "not-a-token"}) {
        auto v = service::authenticate(*st_, token, t0_);
        ASSERT_FALSE(v) << token;
        EXPECT_EQ(v.err().code, errc::bad_token);
        EXPECT_EQ(v.err().message, "Authentication required");
    }
}

TEST_P(service_test, authenticate_touches_a_session_in_use_and_expires_an_idle_one) {
    const auto token = signed_in("a@example.com", role::admin);
    auto v = service::authenticate(*st_, token, t0_ + 30 * 1'000'000);
    ASSERT_TRUE(v) << v.err().message;
    EXPECT_EQ(v->u.email, "a@example.com");
    EXPECT_EQ(v->s.accessed_at, t0_); // within a minute: not written
    v = service::authenticate(*st_, token, t0_ + 23 * hour_);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->s.accessed_at, t0_ + 23 * hour_); // touched
    EXPECT_EQ(st_->session_by_digest(digest_hex(token))->accessed_at, t0_ + 23 * hour_);
    // 24 h after the last use, plus a second: refused, and deleted.
    auto late = service::authenticate(*st_, token, t0_ + 47 * hour_ + 1'000'000);
    ASSERT_FALSE(late);
    EXPECT_EQ(late.err().code, errc::bad_token);
    EXPECT_EQ(st_->session_by_digest(digest_hex(token)).err().code, errc::not_found);
    EXPECT_FALSE(service::authenticate(*st_, token, t0_ + 23 * hour_));
}

TEST_P(service_test, enroll_host_needs_a_known_secret_and_an_identifier) {
    ASSERT_TRUE(st_->apply_global_enroll_secrets({"s3cret"}, t0_));
    for (const std::string secret : {"", "wrong"}) {
        auto e = service::enroll_host(*st_, secret, details("h1"), t0_);
        ASSERT_FALSE(e) << secret;
        EXPECT_EQ(e.err().code, errc::node_invalid);
        EXPECT_EQ(e.err().message, "enroll failed: no matching secret found");
    }
    auto missing = service::enroll_host(*st_, "s3cret", details(""), t0_);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.err().message, "save enroll failed: missing osquery host identifier");
    EXPECT_EQ(st_->list_hosts()->size(), 0u);

    auto first = service::enroll_host(*st_, "s3cret", details("h1"), t0_);
    ASSERT_TRUE(first) << first.err().message;
    EXPECT_EQ(first->previous_node_key, "");
    EXPECT_EQ(first->h.node_key, first->node_key);
    auto again = service::enroll_host(*st_, "s3cret", details("h1"), t0_ + hour_);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->h.id, first->h.id); // the same row, a new key
    EXPECT_EQ(again->previous_node_key, first->node_key);
    EXPECT_NE(again->node_key, first->node_key);
    EXPECT_EQ(st_->list_hosts()->size(), 1u);
}

TEST_P(service_test, start_live_query_checks_the_query_the_targets_and_who_asks) {
    ASSERT_TRUE(st_->apply_global_enroll_secrets({"s3cret"}, t0_));
    auto h = service::enroll_host(*st_, "s3cret", details("h1"), t0_);
    ASSERT_TRUE(h);
    ASSERT_TRUE(st_->new_user(
        [] {
            user u;
            u.name = u.email = "admin@example.com";
            u.password_hash = "$argon2id$fake";
            u.global_role = role::admin;
            return u;
        }(),
        t0_));
    const user admin = *st_->user_by_email("admin@example.com");
    user observer = admin;
    observer.global_role = role::observer;

    target_selection one;
    one.host_ids = {h->h.id};
    auto blank = service::start_live_query(*st_, admin, {"  ", std::nullopt, one}, t0_);
    ASSERT_FALSE(blank);
    EXPECT_EQ(blank.err().code, errc::invalid_argument);
    auto attach =
        service::start_live_query(*st_, admin, {"ATTACH '/tmp/x' AS x", std::nullopt, one}, t0_);
    ASSERT_FALSE(attach);
    EXPECT_EQ(attach.err().code, errc::invalid_argument);
    auto adhoc_by_observer =
        service::start_live_query(*st_, observer, {"SELECT 1", std::nullopt, one}, t0_);
    ASSERT_FALSE(adhoc_by_observer);
    EXPECT_EQ(adhoc_by_observer.err().code, errc::permission_denied);
    target_selection nobody;
    nobody.host_ids = {h->h.id + 1000};
    auto none = service::start_live_query(*st_, admin, {"SELECT 1", std::nullopt, nobody}, t0_);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.err().code, errc::invalid_argument);

    target_selection by_name;
    by_name.hostnames = {"h1"};
    auto started =
        service::start_live_query(*st_, admin, {"SELECT 1", std::nullopt, by_name, true}, t0_);
    ASSERT_TRUE(started) << started.err().message;
    EXPECT_EQ(started->sql, "SELECT 1");
    EXPECT_EQ(started->host_ids, std::vector<std::int64_t>{h->h.id});
    EXPECT_EQ(st_->campaign_by_id(started->c.id)->status, campaign_status::waiting);
}

TEST_P(service_test, set_up_runs_once_and_signs_the_admin_in) {
    service::setup_request req;
    req.server_url = "https://fleet.example.com";
    req.org.org_name = "Acme";
    req.has_admin = true;
    req.email = "admin@example.com";
    req.password = "p4ss!word";
    req.name = "Admin";
    EXPECT_TRUE(service::validate_setup(req).empty());
    auto done = service::set_up(*st_, req, "$argon2id$fake", t0_);
    ASSERT_TRUE(done) << done.err().message;
    EXPECT_EQ(done->admin.email, "admin@example.com");
    EXPECT_EQ(done->admin.global_role, role::admin);
    auto v = service::authenticate(*st_, done->token, t0_);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->u.id, done->admin.id);
    EXPECT_EQ(st_->global_enroll_secrets()->size(), 1u);
    EXPECT_EQ(st_->load_app_config()->server_url(), "https://fleet.example.com");

    req.email = "second@example.com";
    auto again = service::set_up(*st_, req, "$argon2id$fake", t0_);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.err().code, errc::route_not_found);
    EXPECT_EQ(*st_->count_users(), 1);
    EXPECT_FALSE(st_->user_by_email("second@example.com"));
}

TEST_P(service_test, validate_setup_names_every_missing_field) {
    service::setup_request req;
    req.server_url = "https://fleet.example.com";
    auto no_admin = service::validate_setup(req);
    ASSERT_EQ(no_admin.size(), 1u);
    EXPECT_EQ(no_admin[0].name, "admin");
    req.has_admin = true;
    std::vector<std::string> names;
    for (const auto& e : service::validate_setup(req))
        names.push_back(e.name);
    EXPECT_EQ(names, (std::vector<std::string>{"admin.email", "admin.password", "admin.name"}));
}

TEST_P(service_test, login_user_answers_an_unknown_email_as_a_wrong_password) {
    signed_in("a@example.com", role::admin);
    for (const std::string email : {"", "nobody@example.com"}) {
        auto u = service::login_user(*st_, email);
        ASSERT_FALSE(u) << email;
        EXPECT_EQ(u.err().code, errc::login_failed);
        EXPECT_EQ(u.err().message, "Authentication failed");
    }
    auto u = service::login_user(*st_, "a@example.com");
    ASSERT_TRUE(u);
    auto token = service::open_session(*st_, *u, "127.0.0.1", t0_);
    ASSERT_TRUE(token);
    auto v = service::authenticate(*st_, *token, t0_);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->u.id, u->id);
}

TEST_P(service_test, spec_applies_check_who_asks_and_validate_all_before_writing) {
    signed_in("observer@example.com", role::observer);
    signed_in("admin@example.com", role::admin);
    const user observer = *st_->user_by_email("observer@example.com");
    const user admin = *st_->user_by_email("admin@example.com");
    const auto labels_before = st_->label_specs()->size();

    label_spec ok;
    ok.name = "ubuntu hosts";
    ok.query = "SELECT 1 FROM os_version WHERE platform = 'ubuntu'";
    auto denied = service::apply_label_specs(*st_, observer, {ok}, t0_);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.err().code, errc::permission_denied);
    EXPECT_EQ(st_->label_specs()->size(), labels_before);

    label_spec no_name = ok;
    no_name.name = "";
    label_spec no_query = ok;
    no_query.name = "other";
    no_query.query = "";
    auto invalid = service::apply_label_specs(*st_, admin, {ok, no_name, no_query}, t0_);
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.err().code, errc::invalid_argument);
    EXPECT_EQ(invalid.err().fields.size(), 2u);
    EXPECT_EQ(st_->label_specs()->size(), labels_before); // the valid one was not written

    ASSERT_TRUE(service::apply_label_specs(*st_, admin, {ok}, t0_));
    EXPECT_EQ(st_->label_specs()->size(), labels_before + 1);

    query_spec q{"q1", "", "SELECT 1", false};
    auto q_denied = service::apply_query_specs(*st_, observer, {q}, t0_);
    ASSERT_FALSE(q_denied);
    EXPECT_EQ(q_denied.err().code, errc::permission_denied);
    ASSERT_TRUE(service::apply_query_specs(*st_, admin, {q}, t0_));
    EXPECT_EQ(st_->query_by_name("q1")->sql, "SELECT 1");

    auto packs = service::pack_specs(*st_, observer);
    ASSERT_FALSE(packs);
    EXPECT_EQ(packs.err().code, errc::permission_denied);
    EXPECT_TRUE(service::pack_specs(*st_, admin));
}

TEST_P(service_test, enroll_secrets_must_be_non_empty_and_only_writers_see_them) {
    signed_in("observer@example.com", role::observer);
    signed_in("admin@example.com", role::admin);
    const user observer = *st_->user_by_email("observer@example.com");
    const user admin = *st_->user_by_email("admin@example.com");
    ASSERT_TRUE(service::apply_enroll_secrets(*st_, admin, {"first"}, t0_));
    auto empty = service::apply_enroll_secrets(*st_, admin, {"second", ""}, t0_);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.err().code, errc::invalid_argument);
    ASSERT_EQ(empty.err().fields.size(), 1u);
    EXPECT_EQ(empty.err().fields[0].name, "secrets");
    auto seen = service::global_enroll_secrets(*st_, admin);
    ASSERT_TRUE(seen);
    ASSERT_EQ(seen->size(), 1u);
    EXPECT_EQ((*seen)[0].secret, "first"); // unchanged by the refused apply
    auto hidden = service::global_enroll_secrets(*st_, observer);
    ASSERT_FALSE(hidden);
    EXPECT_EQ(hidden.err().code, errc::permission_denied);
}

TEST_P(service_test, only_a_global_admin_creates_teams) {
    signed_in("maintainer@example.com", role::maintainer);
    signed_in("admin@example.com", role::admin);
    const user maintainer = *st_->user_by_email("maintainer@example.com");
    const user admin = *st_->user_by_email("admin@example.com");
    team_spec t{"Servers", std::nullopt, {}};
    auto denied = service::apply_team_specs(*st_, maintainer, {t}, t0_);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.err().code, errc::permission_denied);
    EXPECT_TRUE(st_->list_teams()->empty());
    ASSERT_TRUE(service::apply_team_specs(*st_, admin, {t}, t0_));
    ASSERT_EQ(st_->list_teams()->size(), 1u);
    EXPECT_EQ(st_->team_by_name("Servers")->name, "Servers");
}

TEST_P(service_test, app_config_changes_are_admin_only_saved_unless_dry_run) {
    ASSERT_TRUE(st_->save_app_config(new_app_config({"Acme", ""}, "https://fleet.example.com")));
    auto admin = service::authenticate(*st_, signed_in("a@example.com", role::admin), t0_);
    auto maint = service::authenticate(*st_, signed_in("m@example.com", role::maintainer), t0_);
    ASSERT_TRUE(admin && maint);
    const auto patch = boost::json::parse(R"({"org_info":{"org_name":"Beta"}})").as_object();
    auto denied = service::modify_app_config(*st_, maint->u, patch, false);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.err().code, errc::permission_denied);
    auto dry = service::modify_app_config(*st_, admin->u, patch, true);
    ASSERT_TRUE(dry);
    EXPECT_EQ(dry->org().org_name, "Beta");
    EXPECT_EQ(st_->load_app_config()->org().org_name, "Acme");
    ASSERT_TRUE(service::modify_app_config(*st_, admin->u, patch, false));
    EXPECT_EQ(st_->load_app_config()->org().org_name, "Beta");
}

TEST_P(service_test, host_expiry_has_a_cutoff_only_when_enabled) {
    EXPECT_EQ(service::host_expiry_cutoff(*st_, t0_).value(), std::nullopt); // before setup
    auto cfg = new_app_config({"Acme", ""}, "https://fleet.example.com");
    ASSERT_TRUE(st_->save_app_config(cfg));
    EXPECT_EQ(service::host_expiry_cutoff(*st_, t0_).value(), std::nullopt); // off by default
    auto on = patch_app_config(cfg, boost::json::parse(R"({"host_expiry_settings":
        {"host_expiry_enabled":true,"host_expiry_window":7}})")
                                        .as_object());
    ASSERT_TRUE(on);
    ASSERT_TRUE(st_->save_app_config(*on));
    EXPECT_EQ(service::host_expiry_cutoff(*st_, t0_).value(), t0_ - 7 * 24 * hour_);
    auto huge = patch_app_config(*on, boost::json::parse(R"({"host_expiry_settings":
        {"host_expiry_window":9223372036854775807}})")
                                          .as_object());
    ASSERT_TRUE(huge);
    ASSERT_TRUE(st_->save_app_config(*huge));
    EXPECT_EQ(service::host_expiry_cutoff(*st_, t0_).value(), 0); // no overflow: nothing expires
    // Deleting hosts takes their results with them.
    auto a = st_->enroll_host(details("a"), "key-a", std::nullopt, t0_);
    auto b = st_->enroll_host(details("b"), "key-b", std::nullopt, t0_);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(st_->record_label_results(a->h.id, {{6, true}}, t0_));
    ASSERT_TRUE(service::delete_hosts(*st_, {a->h.id, 424242}));
    EXPECT_FALSE(st_->host_by_id(a->h.id));
    EXPECT_TRUE(st_->host_by_id(b->h.id));
    EXPECT_TRUE(st_->host_label_ids(a->h.id)->empty());
}

INSTANTIATE_TEST_SUITE_P(backends, service_test, ::testing::ValuesIn(all_backends()),
                         backend_printer{});
