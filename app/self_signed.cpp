#include "app/self_signed.hpp"

#include "app/x509.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace flotilla::app {

namespace {

namespace fs = std::filesystem;
using x509::alt_name;
using x509::ip_bytes;

/// Ten years.
constexpr int validity_days = 3650;

std::string errno_text(int e) {
    return std::error_code(e, std::generic_category()).message();
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool is_dns_name(const std::string& s) {
    if (s.empty() || s.size() > 253 || s.front() == '-' || s.front() == '.')
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    });
}

/// localhost, 127.0.0.1, ::1, then `host` (or, for a wildcard, this machine's name).
std::vector<alt_name> alt_names(const std::string& host) {
    std::vector<alt_name> out;
    auto add_ip = [&](const std::string& text) {
        auto bytes = ip_bytes(text);
        if (!bytes)
            return;
        if (std::all_of(bytes->begin(), bytes->end(), [](char c) { return c == 0; }))
            return; // a wildcard names no one
        for (const auto& n : out)
            if (n.ip && n.value == *bytes)
                return;
        out.push_back({true, *bytes, "IP:" + text});
    };
    auto add_dns = [&](const std::string& name) {
        auto l = lower(name);
        if (!is_dns_name(l))
            return;
        for (const auto& n : out)
            if (!n.ip && n.value == l)
                return;
        out.push_back({false, l, "DNS:" + l});
    };
    add_dns("localhost");
    add_ip("127.0.0.1");
    add_ip("::1");
    if (auto bytes = ip_bytes(host)) {
        if (std::all_of(bytes->begin(), bytes->end(), [](char c) { return c == 0; })) {
            std::array<char, 256> name{};
            if (gethostname(name.data(), name.size() - 1) == 0)
                add_dns(name.data());
        } else {
            add_ip(host);
        }
    } else {
        add_dns(host);
    }
    return out;
}

bool is_wildcard(const std::string& host) {
    auto bytes = ip_bytes(host);
    return bytes && std::all_of(bytes->begin(), bytes->end(), [](char c) { return c == 0; });
}

/// A file descriptor closed on every path.
struct fd_guard {
    int fd = -1;
    ~fd_guard() {
        if (fd >= 0)
            ::close(fd);
    }
};

/// Writes `bytes` to `path` with exactly `mode`, creating it (never an existing file).
expected<void> write_exclusive(const std::string& path, const std::string& bytes, mode_t mode) {
    fd_guard f{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)};
    if (f.fd < 0)
        return error::backend("cannot create " + path + ": " + errno_text(errno));
    if (::fchmod(f.fd, mode) != 0)
        return error::backend("cannot set the mode of " + path + ": " + errno_text(errno));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const auto n = ::write(f.fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return error::backend("cannot write " + path + ": " + errno_text(errno));
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0)
        return error::backend("cannot write " + path + ": " + errno_text(errno));
    const int fd = f.fd;
    f.fd = -1;
    if (::close(fd) != 0)
        return error::backend("cannot write " + path + ": " + errno_text(errno));
    return {};
}

/// Makes the pair: both written under temporary names, then renamed key first,
/// certificate last, so a certificate never exists without its key.
expected<void> create_pair(const std::string& cert_file, const std::string& key_file,
                           const std::string& host) {
    auto pem = x509::make_self_signed(alt_names(host), validity_days);
    if (!pem)
        return pem.err();

    const std::string suffix = ".new." + std::to_string(getpid());
    const std::string key_tmp = key_file + suffix, cert_tmp = cert_file + suffix;
    auto cleanup = [&] {
        ::unlink(key_tmp.c_str());
        ::unlink(cert_tmp.c_str());
    };
    auto wrote = write_exclusive(key_tmp, pem->key, 0600);
    if (wrote)
        wrote = write_exclusive(cert_tmp, pem->certificate, 0644);
    if (!wrote) {
        cleanup();
        return wrote.err();
    }
    if (::rename(key_tmp.c_str(), key_file.c_str()) != 0) {
        const int e = errno;
        cleanup();
        return error::backend("cannot create " + key_file + ": " + errno_text(e));
    }
    if (::rename(cert_tmp.c_str(), cert_file.c_str()) != 0) {
        const int e = errno;
        cleanup();
        ::unlink(key_file.c_str()); // made above: no half pair is left behind
        return error::backend("cannot create " + cert_file + ": " + errno_text(e));
    }
    return {};
}

/// Checks a found pair and fills in its fingerprint and warnings.
expected<void> inspect_pair(self_signed_files& f, const std::string& host) {
    auto cert = x509::read_certificate(f.cert_file);
    if (!cert)
        return cert.err();
    auto key = x509::read_key(f.key_file);
    if (!key)
        return key.err();
    if (X509_check_private_key(cert->get(), key->get()) != 1)
        return x509::openssl_failure("the TLS key " + f.key_file +
                                     " does not belong to the certificate " + f.cert_file);
    f.fingerprint = x509::sha256_fingerprint(cert->get());
    if (f.fingerprint.empty())
        return x509::openssl_failure("cannot compute the fingerprint of " + f.cert_file);
    const std::string remake =
        "; delete " + f.cert_file + " and " + f.key_file + " to have a new pair made";
    if (X509_cmp_current_time(X509_get0_notAfter(cert->get())) < 0)
        f.warnings.push_back("the certificate " + f.cert_file + " has expired" + remake);
    if (!is_wildcard(host)) {
        const bool named = ip_bytes(host) ? X509_check_ip_asc(cert->get(), host.c_str(), 0) == 1
                                          : X509_check_host(cert->get(), host.data(), host.size(),
                                                            0, nullptr) == 1;
        if (!named)
            f.warnings.push_back("the certificate " + f.cert_file + " does not name " + host +
                                 ", so clients that check it will refuse that name" + remake);
    }
    ERR_clear_error();
    struct stat st {};
    if (::stat(f.key_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        f.warnings.push_back("the TLS key " + f.key_file +
                             " can be read by other users; chmod 600 it");
    return {};
}

} // namespace

std::vector<std::string> self_signed_names(const std::string& host) {
    std::vector<std::string> out;
    for (const auto& n : alt_names(host))
        out.push_back(n.shown);
    return out;
}

expected<self_signed_files> ensure_self_signed(const std::string& dir, const std::string& host) {
    std::error_code ec;
    const fs::path base = fs::absolute(fs::path(dir), ec).lexically_normal();
    if (ec)
        return error::backend("cannot resolve the TLS directory " + dir + ": " + ec.message());
    if (!fs::is_directory(base, ec))
        return error::backend("the TLS directory " + base.string() + " does not exist");
    self_signed_files f;
    f.cert_file = (base / self_signed_cert_name).string();
    f.key_file = (base / self_signed_key_name).string();
    const bool have_cert = fs::exists(f.cert_file, ec);
    const bool have_key = fs::exists(f.key_file, ec);
    if (have_cert != have_key) {
        const auto& found = have_cert ? f.cert_file : f.key_file;
        const auto& missing = have_cert ? f.key_file : f.cert_file;
        return error::backend("found " + found + " but not " + missing + "; restore it, remove " +
                              found +
                              " to have a new pair made, or give --server_cert and --server_key");
    }
    if (!have_cert) {
        if (auto made = create_pair(f.cert_file, f.key_file, host); !made)
            return made.err();
        f.created = true;
    }
    if (auto ok = inspect_pair(f, host); !ok)
        return ok.err();
    return f;
}

expected<std::string> certificate_fingerprint(const std::string& pem_file) {
    auto cert = x509::read_certificate(pem_file);
    if (!cert)
        return cert.err();
    auto fp = x509::sha256_fingerprint(cert->get());
    if (fp.empty())
        return x509::openssl_failure("cannot compute the fingerprint of " + pem_file);
    return fp;
}

std::string self_signed_hint(const self_signed_files& f, const std::string& host,
                             unsigned short port) {
    // fleetctl and curl reach a loopback or wildcard listener as localhost.
    std::string name = host;
    if (is_wildcard(host) || host == "::1" || host.starts_with("127.") ||
        lower(host) == "localhost")
        name = "localhost";
    else if (host.find(':') != std::string::npos)
        name = "[" + host + "]";
    const std::string url = "https://" + name + ":" + std::to_string(port);
    return "TLS: self-signed certificate " + f.cert_file + " (" +
           (f.created ? "made now" : "reused") + "), key " + f.key_file +
           "\nTLS: SHA-256 fingerprint " + f.fingerprint +
           "\nPoint fleetctl at it with:\n  fleetctl config set --address " + url + " --rootca " +
           f.cert_file + "\nor skip verification with:\n  fleetctl config set --address " + url +
           " --tls-skip-verify\n`fleetctl query` needs --tls-skip-verify: its live query websocket "
           "always dials wss:// and ignores --rootca. curl takes --cacert " +
           f.cert_file + ".";
}

} // namespace flotilla::app
