#include "app/x509.hpp"

#include <array>
#include <cerrno>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <system_error>

namespace flotilla::app::x509 {

namespace {

using bio_ptr = std::unique_ptr<BIO, openssl_free<BIO_free_all>>;
using bn_ptr = std::unique_ptr<BIGNUM, openssl_free<BN_free>>;
using key_context_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_free<EVP_PKEY_CTX_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, openssl_free<X509_EXTENSION_free>>;
using general_names_ptr = std::unique_ptr<GENERAL_NAMES, openssl_free<GENERAL_NAMES_free>>;
using general_name_ptr = std::unique_ptr<GENERAL_NAME, openssl_free<GENERAL_NAME_free>>;
using octets_ptr = std::unique_ptr<ASN1_OCTET_STRING, openssl_free<ASN1_OCTET_STRING_free>>;
using ia5_ptr = std::unique_ptr<ASN1_IA5STRING, openssl_free<ASN1_IA5STRING_free>>;

std::string errno_text(int e) {
    return std::error_code(e, std::generic_category()).message();
}

/// A password callback that has none: an encrypted key fails to load instead of
/// OpenSSL's default callback asking on the terminal.
int no_password(char*, int, int, void*) {
    return 0;
}

expected<key_ptr> make_key() {
    key_context_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
        EVP_PKEY_CTX_set_group_name(ctx.get(), SN_X9_62_prime256v1) <= 0)
        return openssl_failure("cannot set up ECDSA P-256 key generation");
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) <= 0)
        return openssl_failure("cannot generate an ECDSA P-256 key");
    return key_ptr(raw);
}

expected<void> add_extension(X509* cert, X509V3_CTX* v3, int nid, const char* value) {
    extension_ptr ext(X509V3_EXT_conf_nid(nullptr, v3, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
        return openssl_failure(std::string("cannot add certificate extension ") + OBJ_nid2sn(nid));
    return {};
}

expected<void> add_alt_names(X509* cert, const std::vector<alt_name>& names) {
    general_names_ptr list(sk_GENERAL_NAME_new_null());
    if (!list)
        return openssl_failure("cannot build subjectAltName");
    for (const auto& n : names) {
        general_name_ptr gn(GENERAL_NAME_new());
        if (!gn)
            return openssl_failure("cannot build subjectAltName");
        if (n.ip) {
            octets_ptr o(ASN1_OCTET_STRING_new());
            if (!o || ASN1_OCTET_STRING_set(o.get(),
                                            reinterpret_cast<const unsigned char*>(n.value.data()),
                                            static_cast<int>(n.value.size())) != 1)
                return openssl_failure("cannot build subjectAltName");
            GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, o.release());
        } else {
            ia5_ptr s(ASN1_IA5STRING_new());
            if (!s ||
                ASN1_STRING_set(s.get(), n.value.data(), static_cast<int>(n.value.size())) != 1)
                return openssl_failure("cannot build subjectAltName");
            GENERAL_NAME_set0_value(gn.get(), GEN_DNS, s.release());
        }
        if (sk_GENERAL_NAME_push(list.get(), gn.get()) <= 0)
            return openssl_failure("cannot build subjectAltName");
        (void)gn.release(); // owned by the list now
    }
    if (X509_add1_ext_i2d(cert, NID_subject_alt_name, list.get(), 0, X509V3_ADD_DEFAULT) != 1)
        return openssl_failure("cannot add subjectAltName");
    return {};
}

expected<certificate_ptr> make_certificate(EVP_PKEY* key, const std::vector<alt_name>& names,
                                           int days) {
    certificate_ptr cert(X509_new());
    bn_ptr serial(BN_new());
    if (!cert || !serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
        BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return openssl_failure("cannot create a certificate");
    // An hour back, for clients whose clock is a little behind.
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr))
        return openssl_failure("cannot set the certificate's validity");
    X509_NAME* subject = X509_get_subject_name(cert.get());
    const auto* org = reinterpret_cast<const unsigned char*>("Flotilla (self-signed)");
    const auto* cn = reinterpret_cast<const unsigned char*>("localhost");
    if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, org, -1, -1, 0) != 1 ||
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), subject) != 1 || X509_set_pubkey(cert.get(), key) != 1)
        return openssl_failure("cannot name the certificate");

    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    // A server certificate that is its own trust anchor: not a CA, for TLS servers.
    for (auto [nid, value] :
         {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
          std::pair{NID_key_usage, "critical,digitalSignature"},
          std::pair{NID_ext_key_usage, "serverAuth"}, std::pair{NID_subject_key_identifier, "hash"},
          std::pair{NID_authority_key_identifier, "keyid:always"}})
        if (auto ok = add_extension(cert.get(), &v3, nid, value); !ok)
            return ok.err();
    if (auto ok = add_alt_names(cert.get(), names); !ok)
        return ok.err();
    if (X509_sign(cert.get(), key, EVP_sha256()) <= 0)
        return openssl_failure("cannot sign the certificate");
    return cert;
}

template <class Write> expected<std::string> to_pem(const char* what, Write&& write) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1)
        return openssl_failure(std::string("cannot encode the ") + what + " as PEM");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

} // namespace

error openssl_failure(const std::string& what) {
    std::string detail;
    if (unsigned long e = ERR_get_error(); e != 0) {
        std::array<char, 256> buf{};
        ERR_error_string_n(e, buf.data(), buf.size());
        detail = std::string(": ") + buf.data();
    }
    ERR_clear_error();
    return error::backend(what + detail);
}

std::optional<std::string> ip_bytes(const std::string& text) {
    octets_ptr o(a2i_IPADDRESS(text.c_str()));
    ERR_clear_error();
    if (!o)
        return std::nullopt;
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(o.get())),
                       static_cast<std::size_t>(ASN1_STRING_length(o.get())));
}

std::string sha256_fingerprint(const X509* cert) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (X509_digest(cert, EVP_sha256(), md.data(), &len) != 1)
        return {};
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        if (i > 0)
            out += ':';
        out += digits[md[i] >> 4];
        out += digits[md[i] & 0xF];
    }
    return out;
}

expected<pem_pair> make_self_signed(const std::vector<alt_name>& names, int days) {
    auto key = make_key();
    if (!key)
        return key.err();
    auto cert = make_certificate(key->get(), names, days);
    if (!cert)
        return cert.err();
    auto key_pem = to_pem("key", [&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key->get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    if (!key_pem)
        return key_pem.err();
    auto cert_pem =
        to_pem("certificate", [&](BIO* b) { return PEM_write_bio_X509(b, cert->get()); });
    if (!cert_pem)
        return cert_pem.err();
    return pem_pair{std::move(*cert_pem), std::move(*key_pem)};
}

expected<certificate_ptr> read_certificate(const std::string& path) {
    bio_ptr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
        const int e = errno;
        ERR_clear_error();
        return error::backend("cannot read the TLS certificate " + path + ": " + errno_text(e));
    }
    certificate_ptr cert(PEM_read_bio_X509(bio.get(), nullptr, no_password, nullptr));
    if (!cert)
        return openssl_failure("the TLS certificate " + path + " is not a PEM certificate");
    return cert;
}

expected<key_ptr> read_key(const std::string& path) {
    bio_ptr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
        const int e = errno;
        ERR_clear_error();
        return error::backend("cannot read the TLS key " + path + ": " + errno_text(e));
    }
    key_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr));
    if (!key)
        return openssl_failure("the TLS key " + path + " is not an unencrypted PEM private key");
    return key;
}

} // namespace flotilla::app::x509
