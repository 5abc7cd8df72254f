/// Applies 1,000 policies + 500 queries + 200 labels + 50 packs (one request
/// per kind) to a fresh instance over HTTP, then re-applies them unchanged, and
/// prints the time of each request and a JSON summary. See README.md.

#include "tests/support/backends.hpp"
#include "tests/support/test_server.hpp"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <gtest/gtest.h>
#include <iostream>

using namespace flotilla;
using namespace flotilla::testing;
namespace bj = boost::json;

namespace {

struct counts {
    int queries = 500, labels = 200, packs = 50, policies = 1000;
    int queries_per_pack = 10;
};

std::string queries_body(const counts& c) {
    bj::array specs;
    for (int i = 0; i < c.queries; ++i)
        specs.push_back({{"name", "query_" + std::to_string(i)},
                         {"description", "benchmark query " + std::to_string(i)},
                         {"query", "SELECT * FROM processes WHERE pid = " + std::to_string(i)}});
    return bj::serialize(bj::object{{"specs", specs}});
}

std::string labels_body(const counts& c) {
    bj::array specs;
    for (int i = 0; i < c.labels; ++i)
        specs.push_back({{"name", "label_" + std::to_string(i)},
                         {"description", "benchmark label"},
                         {"query", "SELECT 1 FROM os_version WHERE major = " + std::to_string(i)},
                         {"label_membership_type", "dynamic"}});
    return bj::serialize(bj::object{{"specs", specs}});
}

std::string packs_body(const counts& c) {
    bj::array specs;
    for (int i = 0; i < c.packs; ++i) {
        bj::array qs;
        for (int j = 0; j < c.queries_per_pack; ++j) {
            const int q = (i * c.queries_per_pack + j) % std::max(1, c.queries);
            qs.push_back({{"query", "query_" + std::to_string(q)},
                          {"name", "scheduled_" + std::to_string(j)},
                          {"interval", 60 + j},
                          {"snapshot", j % 2 == 0}});
        }
        bj::array labels{"label_" + std::to_string(i % std::max(1, c.labels)), "All Hosts"};
        specs.push_back({{"name", "pack_" + std::to_string(i)},
                         {"description", "benchmark pack"},
                         {"targets", {{"labels", labels}}},
                         {"queries", qs}});
    }
    return bj::serialize(bj::object{{"specs", specs}});
}

std::string policies_body(const counts& c) {
    bj::array specs;
    for (int i = 0; i < c.policies; ++i)
        specs.push_back(
            {{"name", "policy_" + std::to_string(i)},
             {"description", "benchmark policy"},
             {"query", "SELECT 1 FROM os_version WHERE build = '" + std::to_string(i) + "'"},
             {"resolution", "fix it"},
             {"platform", i % 3 == 0 ? "darwin" : ""}});
    return bj::serialize(bj::object{{"specs", specs}});
}

/// Posts `body` and returns the wall time in milliseconds; exits on a non-200.
double timed_post(test_server& srv, const std::string& token, const std::string& path,
                  const std::string& body) {
    http_client c(srv.port(), {false, std::chrono::milliseconds(600'000)});
    const auto start = std::chrono::steady_clock::now();
    auto r = c.authed("POST", path, token, body);
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start);
    if (r.status != 200) {
        std::cerr << path << " answered " << r.status << ": " << r.body << "\n";
        std::exit(1);
    }
    return ms.count();
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"spec_apply: time applying large specs"};
    std::string store = "sqlite";
    double scale = 1.0;
    app.add_option("--store", store, "sqlite or mysql (mysql uses FLOTILLA_TEST_MYSQL_*)")
        ->check(CLI::IsMember({"sqlite", "mysql"}));
    app.add_option("--scale", scale, "multiply every count (0.05 for a smoke run)");
    CLI11_PARSE(app, argc, argv);
    ::testing::InitGoogleTest(&argc, argv); // the support code reports through gtest

    counts c;
    auto scaled = [&](int n) { return std::max(1, static_cast<int>(n * scale)); };
    c.queries = scaled(c.queries);
    c.labels = scaled(c.labels);
    c.packs = scaled(c.packs);
    c.policies = scaled(c.policies);

    test_database db(store == "mysql" ? backend::mysql : backend::sqlite);
    auto st = db.open();
    if (!st)
        return 1;
    test_server srv(std::move(st));
    const std::string token = srv.setup();
    if (token.empty())
        return 1;

    const std::pair<const char*, std::string> steps[] = {
        {"/api/v1/fleet/spec/queries", queries_body(c)},
        {"/api/v1/fleet/spec/labels", labels_body(c)},
        {"/api/v1/fleet/spec/packs", packs_body(c)},
        {"/api/v1/fleet/spec/policies", policies_body(c)},
    };
    bj::object summary{{"store", store},
                       {"queries", c.queries},
                       {"labels", c.labels},
                       {"packs", c.packs},
                       {"scheduled_queries", c.packs * c.queries_per_pack},
                       {"policies", c.policies}};
    for (const char* round : {"first_apply_ms", "reapply_ms"}) {
        bj::object times;
        double total = 0;
        for (const auto& [path, body] : steps) {
            const double ms = timed_post(srv, token, path, body);
            total += ms;
            std::string kind = std::string(path).substr(std::string(path).rfind('/') + 1);
            times[kind] = ms;
            std::cout << round << " " << kind << ": " << ms << " ms (" << body.size()
                      << " bytes)\n";
        }
        times["total"] = total;
        summary[round] = times;
    }
    std::cout << bj::serialize(summary) << std::endl;
    return ::testing::UnitTest::GetInstance()->failed_test_count() == 0 ? 0 : 1;
}
