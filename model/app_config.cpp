#include "model/app_config.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

namespace flotilla {

boost::json::value default_agent_options() {
    return boost::json::parse(R"({"config":{"options":{"logger_plugin":"tls","pack_delimiter":"/",
"logger_tls_period":10,"distributed_plugin":"tls","disable_distributed":false,
"logger_tls_endpoint":"/api/v1/osquery/log","distributed_interval":10,
"distributed_tls_max_attempts":3},"decorators":{"load":["SELECT uuid AS host_uuid FROM system_info;",
"SELECT hostname AS hostname FROM system_info;"]}},"overrides":{}})");
}

std::vector<field_error> validate_server_url(const std::string& url) {
    if (url.empty())
        return {{"server_url", "missing required argument"},
                {"server_url", "url scheme must be https"}};
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed || parsed->host().empty())
        return {{"server_url", "invalid URL '" + url + "'"}};
    if (parsed->scheme() != "https" && parsed->host().find("localhost") == std::string::npos)
        return {{"server_url", "url scheme must be https"}};
    return {};
}

boost::json::value to_json(const org_info& o) {
    return boost::json::object{{"org_name", o.org_name}, {"org_logo_url", o.org_logo_url}};
}

} // namespace flotilla
