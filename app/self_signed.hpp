#pragma once
/// Design: `--server_tls` without --server_cert/--server_key gets a certificate
/// made here, once: an ECDSA P-256 key and a self-signed X.509 v3 certificate
/// (SHA-256 signature, ten years, subjectAltName localhost, 127.0.0.1, ::1 and
/// the listen host) written into one directory as flotilla-tls.crt and
/// flotilla-tls.key (mode 0600). Files that exist are always reused, never
/// replaced, so a restart serves the same fingerprint and a client that trusts
/// the certificate (fleetctl --rootca, curl --cacert) keeps working. The
/// trade-off: a later --server_address is not added to an old certificate; a
/// warning says so, and deleting the two files makes a new pair. OpenSSL's C API
/// stays in app/x509.hpp (every object owned by a unique_ptr); every failure is
/// an error value with a message naming the file, never an exception or a crash.

#include "model/error.hpp"

#include <string>
#include <vector>

namespace flotilla::app {

/// The file names inside the chosen directory.
inline constexpr const char* self_signed_cert_name = "flotilla-tls.crt";
inline constexpr const char* self_signed_key_name = "flotilla-tls.key";

/// The pair in use, and what the operator should know about it.
struct self_signed_files {
    std::string cert_file;
    std::string key_file;
    /// SHA-256 of the DER certificate, colon-separated upper-case hex (as
    /// `openssl x509 -fingerprint -sha256` prints it).
    std::string fingerprint;
    /// True when made by this call, false when found and reused.
    bool created = false;
    /// Things worth a warning about a reused pair (host not named, expired, key
    /// readable by others).
    std::vector<std::string> warnings;
};

/// Reuses the pair in `dir` when both files exist (checking that they parse and
/// belong together), makes it when neither does, and fails when only one does.
/// `host` is --server_address's host: a new certificate names it too, unless it
/// is a wildcard (0.0.0.0, ::), when the machine's host name is named instead.
expected<self_signed_files> ensure_self_signed(const std::string& dir, const std::string& host);

/// The subjectAltName entries a new certificate gets for `host`, in order
/// ("DNS:localhost", "IP:127.0.0.1", "IP:::1", then the host's own).
std::vector<std::string> self_signed_names(const std::string& host);

/// The SHA-256 fingerprint of the first certificate in a PEM file.
expected<std::string> certificate_fingerprint(const std::string& pem_file);

/// What `flotilla serve` prints about the pair: its path, fingerprint and how to
/// point fleetctl (and curl) at it; `port` is the port served on.
std::string self_signed_hint(const self_signed_files& files, const std::string& host,
                             unsigned short port);

} // namespace flotilla::app
