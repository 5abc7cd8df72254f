#pragma once
/// Secrets with libsodium: random tokens, password hashes (argon2id), digests
/// and constant-time comparison. Call `init_secrets()` once before use.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace flotilla {

/// Initialises libsodium; returns false if it cannot.
bool init_secrets();

/// `n` random bytes, standard base64 (Fleet's session tokens: 64 bytes, 88 chars;
/// enroll secrets and node keys: 24 bytes, 32 chars).
std::string random_base64(std::size_t n);

/// An argon2id hash string (crypto_pwhash_str), or nullopt when out of memory.
std::optional<std::string> hash_password(std::string_view password);

/// True when `password` matches `hash`; constant-time inside libsodium.
bool verify_password(std::string_view hash, std::string_view password);

/// A hex BLAKE2b-256 digest; sessions are stored and looked up by it.
std::string digest_hex(std::string_view data);

/// Constant-time equality of two strings of any length.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace flotilla
