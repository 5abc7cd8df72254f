#include "model/secrets.hpp"

#include <sodium.h>
#include <vector>

namespace flotilla {

bool init_secrets() {
    return sodium_init() >= 0;
}

std::string random_base64(std::size_t n) {
    std::vector<unsigned char> bytes(n);
    randombytes_buf(bytes.data(), n);
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), n, sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1); // drop the terminating NUL
    return out;
}

std::optional<std::string> hash_password(std::string_view password) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return std::nullopt;
    return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
    std::string h(hash); // needs NUL termination
    return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string digest_hex(std::string_view data) {
    unsigned char out[crypto_generichash_BYTES];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(data.data()),
                       data.size(), nullptr, 0);
    char hex[crypto_generichash_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, out, sizeof out);
    return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace flotilla
