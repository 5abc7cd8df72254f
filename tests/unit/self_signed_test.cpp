/// app/self_signed: the names a new certificate holds, reuse without
/// regeneration, and the warnings about a reused pair.

#include "app/config.hpp"
#include "app/self_signed.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sstream>
#include <unistd.h>

using namespace flotilla;
namespace fs = std::filesystem;

namespace {

std::string temp_dir() {
    static int n = 0;
    auto d = fs::temp_directory_path() /
             ("flotilla_selfsigned_unit_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Whether the certificate file names `host` (OpenSSL's own matching).
bool names(const std::string& cert_file, const std::string& host) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(cert_file.c_str(), "r"), &fclose);
    if (!f)
        return false;
    std::unique_ptr<X509, void (*)(X509*)> x(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                             &X509_free);
    if (!x)
        return false;
    if (host.find_first_not_of("0123456789.:") == std::string::npos)
        return X509_check_ip_asc(x.get(), host.c_str(), 0) == 1;
    return X509_check_host(x.get(), host.data(), host.size(), 0, nullptr) == 1;
}

} // namespace

TEST(tls_self_signed_pair, names_are_the_loopback_ones_plus_the_listen_host_once) {
    const std::vector<std::string> loopback = {"DNS:localhost", "IP:127.0.0.1", "IP:::1"};
    EXPECT_EQ(app::self_signed_names("127.0.0.1"), loopback);
    EXPECT_EQ(app::self_signed_names("LOCALHOST"), loopback);
    EXPECT_EQ(app::self_signed_names("0:0:0:0:0:0:0:1"), loopback);
    auto with = [&](std::string extra) {
        auto v = loopback;
        v.push_back(std::move(extra));
        return v;
    };
    EXPECT_EQ(app::self_signed_names("Fleet.Example.com"), with("DNS:fleet.example.com"));
    EXPECT_EQ(app::self_signed_names("192.0.2.7"), with("IP:192.0.2.7"));
    EXPECT_EQ(app::self_signed_names("2001:db8::1"), with("IP:2001:db8::1"));
    EXPECT_EQ(app::self_signed_names("bad name,DNS:evil"), loopback); // not a host name
    // A wildcard names this machine.
    char host[256] = {};
    ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
    auto wildcard = app::self_signed_names("0.0.0.0");
    EXPECT_EQ(app::self_signed_names("::"), wildcard);
    ASSERT_GE(wildcard.size(), 3u);
    EXPECT_EQ(std::vector<std::string>(wildcard.begin(), wildcard.begin() + 3), loopback);
}

TEST(tls_self_signed_pair, made_once_then_reused_with_a_warning_for_a_new_host) {
    const auto dir = temp_dir();
    auto made = app::ensure_self_signed(dir, "fleet.example.com");
    ASSERT_TRUE(made) << made.err().message;
    EXPECT_TRUE(made->created);
    EXPECT_TRUE(made->warnings.empty());
    EXPECT_EQ(made->cert_file, dir + "/flotilla-tls.crt");
    EXPECT_EQ(made->key_file, dir + "/flotilla-tls.key");
    EXPECT_EQ(made->fingerprint.size(), 32u * 3 - 1);
    for (const char* h : {"fleet.example.com", "localhost", "127.0.0.1", "::1"})
        EXPECT_TRUE(names(made->cert_file, h)) << h;
    EXPECT_FALSE(names(made->cert_file, "other.example.com"));
    auto fp = app::certificate_fingerprint(made->cert_file);
    ASSERT_TRUE(fp);
    EXPECT_EQ(*fp, made->fingerprint);

    const auto cert = slurp(made->cert_file), key = slurp(made->key_file);
    auto again = app::ensure_self_signed(dir + "/.", "other.example.com");
    ASSERT_TRUE(again) << again.err().message;
    EXPECT_FALSE(again->created);
    EXPECT_EQ(again->cert_file, made->cert_file);
    EXPECT_EQ(again->fingerprint, made->fingerprint);
    EXPECT_EQ(slurp(made->cert_file), cert);
    EXPECT_EQ(slurp(made->key_file), key);
    ASSERT_EQ(again->warnings.size(), 1u);
    EXPECT_NE(again->warnings[0].find("does not name other.example.com"), std::string::npos)
        << again->warnings[0];

    // A key others can read is still served, with a warning.
    fs::permissions(made->key_file, fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::add);
    auto loose = app::ensure_self_signed(dir, "fleet.example.com");
    ASSERT_TRUE(loose);
    ASSERT_EQ(loose->warnings.size(), 1u);
    EXPECT_NE(loose->warnings[0].find("chmod 600"), std::string::npos);
    fs::remove_all(dir);
}

TEST(tls_self_signed_pair, a_broken_pair_is_an_error_never_replaced) {
    const auto dir = temp_dir();
    std::ofstream(dir + "/flotilla-tls.crt") << "junk\n";
    std::ofstream(dir + "/flotilla-tls.key") << "junk\n";
    auto r = app::ensure_self_signed(dir, "127.0.0.1");
    ASSERT_FALSE(r);
    EXPECT_NE(r.err().message.find("is not a PEM certificate"), std::string::npos)
        << r.err().message;
    EXPECT_EQ(slurp(dir + "/flotilla-tls.crt"), "junk\n");
    fs::remove(dir + "/flotilla-tls.key");
    auto half = app::ensure_self_signed(dir, "127.0.0.1");
    ASSERT_FALSE(half);
    EXPECT_NE(half.err().message.find("found " + dir + "/flotilla-tls.crt but not"),
              std::string::npos)
        << half.err().message;
    // An encrypted key fails to load (no password prompt on the terminal).
    const auto enc = temp_dir();
    ASSERT_TRUE(app::ensure_self_signed(enc, "127.0.0.1"));
    const std::string cmd =
        "openssl pkey -in " + enc + "/flotilla-tls.key -aes256 -passout pass:x" + " -out " + enc +
        "/enc.key && mv " + enc + "/enc.key " + enc + "/flotilla-tls.key </dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto encrypted = app::ensure_self_signed(enc, "127.0.0.1");
    ASSERT_FALSE(encrypted);
    EXPECT_NE(encrypted.err().message.find("is not an unencrypted PEM private key"),
              std::string::npos)
        << encrypted.err().message;
    fs::remove_all(enc);
    auto none = app::ensure_self_signed(dir + "/missing", "127.0.0.1");
    ASSERT_FALSE(none);
    EXPECT_NE(none.err().message.find("does not exist"), std::string::npos);
    fs::remove_all(dir);
}

TEST(tls_self_signed_pair, the_directory_is_beside_the_store_unless_given) {
    settings s;
    s.sqlite_path = "/var/lib/flotilla/f.db";
    EXPECT_EQ(s.self_signed_dir(), "/var/lib/flotilla");
    s.sqlite_path = "f.db";
    EXPECT_EQ(s.self_signed_dir(), ".");
    s.sqlite_path = "./flotilla.db";
    s.mysql_address = "db:3306";
    EXPECT_EQ(s.self_signed_dir(), ".");
    s.server_tls_dir = "/etc/flotilla";
    EXPECT_EQ(s.self_signed_dir(), "/etc/flotilla");
}
