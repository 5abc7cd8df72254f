#pragma once
/// Design: the OpenSSL C API behind app/self_signed.hpp, in one place: every
/// object is owned by a unique_ptr whose deleter is OpenSSL's free function, and
/// every failure is an error value carrying OpenSSL's first queued reason (the
/// queue is emptied), never an exception.

#include "model/error.hpp"

#include <memory>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <optional>
#include <string>
#include <vector>

namespace flotilla::app::x509 {

/// unique_ptr deleter calling an OpenSSL free function.
template <auto Free> struct openssl_free {
    template <class T> void operator()(T* p) const { Free(p); }
};
using certificate_ptr = std::unique_ptr<X509, openssl_free<X509_free>>;
using key_ptr = std::unique_ptr<EVP_PKEY, openssl_free<EVP_PKEY_free>>;

/// A subjectAltName entry: a DNS name, or an IP address as its raw bytes.
struct alt_name {
    bool ip = false;
    std::string value; ///< lower-case name, or 4 or 16 address bytes
    std::string shown; ///< "DNS:localhost", "IP:::1"
};

/// The PEM texts of a key and its certificate.
struct pem_pair {
    std::string certificate;
    std::string key; ///< PKCS#8, unencrypted
};

/// A new ECDSA P-256 key and a self-signed X.509 v3 certificate for it: SHA-256
/// signature, valid from an hour ago for `days`, subject O=Flotilla
/// (self-signed), CN=localhost, not a CA, for TLS servers, naming `names`.
expected<pem_pair> make_self_signed(const std::vector<alt_name>& names, int days);

/// The first certificate of a PEM file.
expected<certificate_ptr> read_certificate(const std::string& path);
/// The private key of an unencrypted PEM file.
expected<key_ptr> read_key(const std::string& path);

/// SHA-256 of the DER certificate, colon-separated upper-case hex ("" on failure).
std::string sha256_fingerprint(const X509* cert);

/// The address bytes of `text` when it is an IPv4 or IPv6 literal.
std::optional<std::string> ip_bytes(const std::string& text);

/// `what` plus OpenSSL's first queued error; empties the queue.
error openssl_failure(const std::string& what);

} // namespace flotilla::app::x509
