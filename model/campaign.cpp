#include "model/campaign.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace flotilla {

namespace bj = boost::json;

void host_counts::add(host_status s, bool is_new) {
    ++total;
    switch (s) {
    case host_status::online:
        ++online;
        break;
    case host_status::offline:
        ++offline;
        break;
    case host_status::mia:
        ++missing_in_action;
        break;
    }
    if (is_new)
        ++new_hosts;
}

bj::value campaign_json(const campaign& c, const host_counts& m) {
    return bj::object{
        {"created_at", "0001-01-01T00:00:00Z"},
        {"updated_at", "0001-01-01T00:00:00Z"},
        {"Metrics",
         {{"TotalHosts", m.total},
          {"OnlineHosts", m.online},
          {"OfflineHosts", m.offline},
          {"MissingInActionHosts", m.missing_in_action},
          {"NewHosts", m.new_hosts}}},
        {"id", c.id},
        {"query_id", c.query_id},
        {"status", static_cast<std::int64_t>(c.status)},
        {"user_id", c.user_id},
    };
}

bj::value totals_message(const host_counts& m) {
    return bj::object{{"type", "totals"},
                      {"data",
                       {{"count", m.total},
                        {"online", m.online},
                        {"offline", m.offline},
                        {"missing_in_action", m.missing_in_action}}}};
}

bj::value status_message(std::int64_t expected, std::int64_t actual, bool finished) {
    return bj::object{{"type", "status"},
                      {"data",
                       {{"expected_results", expected},
                        {"actual_results", actual},
                        {"status", finished ? "finished" : "pending"}}}};
}

bj::value error_message(const std::string& text) {
    return bj::object{{"type", "error"}, {"data", text}};
}

bj::value result_message(const campaign_result& r) {
    bj::array rows;
    for (const auto& row : r.rows) {
        bj::object o;
        for (const auto& [k, v] : row)
            o[k] = v;
        o["host_hostname"] = r.hostname;
        rows.push_back(std::move(o));
    }
    return bj::object{{"type", "result"},
                      {"data",
                       {{"distributed_query_execution_id", r.campaign_id},
                        {"host",
                         {{"id", r.host_id},
                          {"hostname", r.hostname},
                          {"display_name", r.hostname},
                          {"platform", r.platform}}},
                        {"rows", std::move(rows)},
                        {"error", r.error ? bj::value(*r.error) : bj::value(nullptr)}}}};
}

void erase_ids(std::vector<std::int64_t>& hosts, std::vector<std::int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    std::erase_if(hosts,
                  [&](std::int64_t h) { return std::binary_search(ids.begin(), ids.end(), h); });
}

} // namespace flotilla
