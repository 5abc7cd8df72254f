#include "http/gzip.hpp"

#include <zlib.h>

namespace flotilla::http {

expected<std::string> gunzip(std::string_view in, std::size_t limit) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return error::backend("zlib: cannot initialise");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    char buf[64 * 1024];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            return error::bad_request("malformed gzip body");
        }
        out.append(buf, sizeof buf - zs.avail_out);
        if (out.size() > limit) {
            inflateEnd(&zs);
            return error{errc::payload_too_large,
                         "gzip body inflates past " + std::to_string(limit) + " bytes",
                         {}};
        }
        if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
            inflateEnd(&zs);
            return error::bad_request("truncated gzip body");
        }
    }
    inflateEnd(&zs);
    return out;
}

} // namespace flotilla::http
