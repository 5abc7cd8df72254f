/// The real `flotilla serve --server_tls` without --server_cert/--server_key: the
/// self-signed pair is made once beside the store (key 0600, ECDSA P-256), the
/// printed fingerprint is the file's and the served certificate's, HTTPS verifies
/// against it as the CA, and a restart reuses the same files. The fingerprint and
/// the subjectAltName are read back with the openssl CLI, not with Flotilla's code.

#include "app/self_signed.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <regex>
#include <sstream>
#include <sys/stat.h>

using namespace flotilla;
using namespace flotilla::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string temp_dir() {
    static int n = 0;
    auto d = fs::temp_directory_path() /
             ("flotilla_selfsigned_" + std::to_string(getpid()) + "_" + std::to_string(n++));
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

/// stdout of a shell command (the openssl CLI), "" when it fails.
std::string shell(const std::string& cmd) {
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), &pclose);
    if (!p)
        return {};
    std::string out;
    std::array<char, 512> buf{};
    while (auto n = fread(buf.data(), 1, buf.size(), p.get()))
        out.append(buf.data(), n);
    return out;
}

/// What `openssl x509 -fingerprint -sha256` says about the file ("AB:CD:...").
std::string openssl_fingerprint(const std::string& cert) {
    auto out = shell("openssl x509 -noout -fingerprint -sha256 -in '" + cert + "' 2>/dev/null");
    auto eq = out.find('=');
    if (eq == std::string::npos)
        return {};
    out = out.substr(eq + 1);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    return out;
}

/// The fingerprint `flotilla serve` printed.
std::string printed_fingerprint(const std::string& output) {
    std::smatch m;
    if (!std::regex_search(output, m,
                           std::regex(R"(SHA-256 fingerprint ([0-9A-F]{2}(:[0-9A-F]{2}){31})\n)")))
        return {};
    return m[1];
}

unsigned file_mode(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return 0;
    return st.st_mode & 07777;
}

std::vector<std::string> serve_args(const std::string& dir) {
    return {flotilla_binary(), "serve",         "--server_tls",      "--server_address",
            "127.0.0.1:0",     "--sqlite_path", dir + "/flotilla.db"};
}

const std::string setup_body = R"({"server_url":"https://localhost",
    "admin":{"name":"A","email":"a@example.com","password":"pw"}})";

} // namespace

TEST(self_signed_tls, serve_makes_the_pair_once_beside_the_store_and_a_restart_reuses_it) {
    const auto dir = temp_dir();
    const auto cert = dir + "/flotilla-tls.crt", key = dir + "/flotilla-tls.key";
    child_process p(serve_args(dir));
    ASSERT_TRUE(p.wait_for_output("then log in", 20s)) << p.output();
    const auto port = served_port(p.output());
    ASSERT_NE(port, 0) << p.output();
    EXPECT_NE(p.output().find("serving on https://127.0.0.1:"), std::string::npos) << p.output();

    // The files, beside the store; the key only for its owner.
    ASSERT_TRUE(fs::is_regular_file(cert)) << p.output();
    ASSERT_TRUE(fs::is_regular_file(key)) << p.output();
    EXPECT_EQ(file_mode(key), 0600u);
    EXPECT_EQ(file_mode(cert), 0644u);
    EXPECT_NE(p.output().find("self-signed certificate " + cert + " (made now), key " + key),
              std::string::npos)
        << p.output();

    // The printed fingerprint is the file's, as openssl prints it.
    const auto fingerprint = printed_fingerprint(p.output());
    ASSERT_FALSE(fingerprint.empty()) << p.output();
    EXPECT_EQ(fingerprint, openssl_fingerprint(cert));
    // How to point fleetctl at it, and that `fleetctl query` needs skip-verify.
    const std::string address = "https://localhost:" + std::to_string(port);
    EXPECT_NE(p.output().find("fleetctl config set --address " + address + " --rootca " + cert),
              std::string::npos)
        << p.output();
    EXPECT_NE(p.output().find("fleetctl config set --address " + address + " --tls-skip-verify"),
              std::string::npos)
        << p.output();
    EXPECT_NE(p.output().find("`fleetctl query` needs --tls-skip-verify"), std::string::npos);
    EXPECT_NE(p.output().find("curl --cacert " + cert + " -X POST https://127.0.0.1:"),
              std::string::npos)
        << p.output();

    // The key is ECDSA P-256; the certificate v3, ECDSA-SHA256, ten years, the
    // loopback names in subjectAltName, not a CA.
    {
        std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(key.c_str(), "r"), &fclose);
        ASSERT_TRUE(f);
        std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> k(
            PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
        ASSERT_TRUE(k);
        EXPECT_EQ(EVP_PKEY_get_base_id(k.get()), EVP_PKEY_EC);
        std::array<char, 64> group{};
        ASSERT_EQ(EVP_PKEY_get_group_name(k.get(), group.data(), group.size(), nullptr), 1);
        EXPECT_STREQ(group.data(), "prime256v1");
        EXPECT_EQ(EVP_PKEY_get_bits(k.get()), 256);
    }
    {
        std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(cert.c_str(), "r"), &fclose);
        ASSERT_TRUE(f);
        std::unique_ptr<X509, void (*)(X509*)> x(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                                 &X509_free);
        ASSERT_TRUE(x);
        EXPECT_EQ(X509_get_version(x.get()), X509_VERSION_3);
        EXPECT_EQ(X509_get_signature_nid(x.get()), NID_ecdsa_with_SHA256);
        int days = 0, secs = 0;
        ASSERT_EQ(
            ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x.get()), X509_get0_notAfter(x.get())),
            1);
        EXPECT_GE(days, 3650);
        EXPECT_LE(days, 3651);
        EXPECT_EQ(X509_check_ca(x.get()), 0);
    }
    const auto san = shell("openssl x509 -noout -ext subjectAltName -in '" + cert + "'");
    EXPECT_NE(san.find("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1\n"),
              std::string::npos)
        << san;

    // HTTPS verifies with the certificate as the only CA, by name and by address;
    // the served certificate is the printed one. A name it does not hold fails.
    {
        http_client c(port, {true, 10s, cert, "localhost"});
        EXPECT_EQ(c.peer_certificate_sha256(), fingerprint);
        auto r = c.request("POST", "/api/v1/setup", setup_body);
        EXPECT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(http_once(port, "GET", "/healthz", "", {}, {true, 10s, cert, "127.0.0.1"}).status,
              200);
    EXPECT_EQ(http_once(port, "GET", "/healthz", "", {}, {true, 10s, cert, "::1"}).status, 200);
    EXPECT_THROW(http_once(port, "GET", "/healthz", "", {}, {true, 10s, cert, "fleet.example.com"}),
                 std::runtime_error);

    const auto cert_bytes = slurp(cert), key_bytes = slurp(key);
    const auto cert_time = fs::last_write_time(cert), key_time = fs::last_write_time(key);
    p.signal(SIGTERM);
    auto code = p.wait_exit(10s);
    ASSERT_TRUE(code) << p.output();
    EXPECT_EQ(*code, 0) << p.output();

    // A restart reuses the pair: same fingerprint, files untouched.
    child_process again(serve_args(dir));
    ASSERT_TRUE(again.wait_for_output("curl takes --cacert " + cert + ".", 20s)) << again.output();
    const auto port2 = served_port(again.output());
    ASSERT_NE(port2, 0) << again.output();
    EXPECT_NE(again.output().find("self-signed certificate " + cert + " (reused)"),
              std::string::npos)
        << again.output();
    EXPECT_EQ(printed_fingerprint(again.output()), fingerprint);
    EXPECT_EQ(slurp(cert), cert_bytes);
    EXPECT_EQ(slurp(key), key_bytes);
    EXPECT_EQ(fs::last_write_time(cert), cert_time);
    EXPECT_EQ(fs::last_write_time(key), key_time);
    EXPECT_EQ(file_mode(key), 0600u);
    {
        http_client c(port2, {true, 10s, cert, "localhost"});
        EXPECT_EQ(c.peer_certificate_sha256(), fingerprint);
        EXPECT_EQ(c.request("GET", "/healthz").status, 200);
    }
    // No leftovers of the write (temporary names) in the directory.
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().starts_with("flotilla-tls"))
            names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"flotilla-tls.crt", "flotilla-tls.key"}));
    again.signal(SIGTERM);
    EXPECT_EQ(again.wait_exit(10s), 0) << again.output();
    fs::remove_all(dir);
}

TEST(self_signed_tls, server_tls_dir_from_the_environment_holds_the_pair) {
    const auto dir = temp_dir(), tls_dir = temp_dir();
    child_process p({flotilla_binary(), "serve", "--server_tls", "--server_address", "localhost:0",
                     "--sqlite_path", dir + "/f.db"},
                    {{"FLOTILLA_SERVER_TLS_DIR", tls_dir}});
    ASSERT_TRUE(p.wait_for_output("then log in", 20s)) << p.output();
    EXPECT_TRUE(fs::is_regular_file(tls_dir + "/flotilla-tls.crt"));
    EXPECT_TRUE(fs::is_regular_file(tls_dir + "/flotilla-tls.key"));
    EXPECT_FALSE(fs::exists(dir + "/flotilla-tls.crt"));
    EXPECT_EQ(printed_fingerprint(p.output()), openssl_fingerprint(tls_dir + "/flotilla-tls.crt"));
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(10s), 0) << p.output();
    fs::remove_all(dir);
    fs::remove_all(tls_dir);
}

TEST(self_signed_tls, a_half_pair_a_foreign_key_or_no_directory_exit_2_with_one_line) {
    const auto dir = temp_dir();
    auto one_line = [](const std::string& out) {
        return out.starts_with("flotilla: ") && out.find('\n') == out.size() - 1;
    };

    // Only the key: never replaced, never completed.
    std::ofstream(dir + "/flotilla-tls.key") << "not a key\n";
    auto [code, out] = run_flotilla({"serve", "--server_tls", "--server_address", "127.0.0.1:0",
                                     "--sqlite_path", dir + "/f.db"});
    EXPECT_EQ(code, 2) << out;
    EXPECT_TRUE(one_line(out)) << out;
    EXPECT_NE(out.find("found " + dir + "/flotilla-tls.key but not " + dir + "/flotilla-tls.crt"),
              std::string::npos)
        << out;
    EXPECT_EQ(slurp(dir + "/flotilla-tls.key"), "not a key\n");
    EXPECT_FALSE(fs::exists(dir + "/flotilla-tls.crt"));

    // A pair whose key belongs to another certificate.
    const auto a = temp_dir(), b = temp_dir();
    ASSERT_TRUE(app::ensure_self_signed(a, "127.0.0.1"));
    ASSERT_TRUE(app::ensure_self_signed(b, "127.0.0.1"));
    fs::copy_file(a + "/flotilla-tls.key", b + "/flotilla-tls.key",
                  fs::copy_options::overwrite_existing);
    auto [code2, out2] = run_flotilla(
        {"serve", "--server_tls", "--server_address", "127.0.0.1:0", "--sqlite_path", b + "/f.db"});
    EXPECT_EQ(code2, 2) << out2;
    EXPECT_TRUE(one_line(out2)) << out2;
    EXPECT_NE(out2.find("does not belong to the certificate"), std::string::npos) << out2;

    // A directory that does not exist.
    auto [code3, out3] =
        run_flotilla({"serve", "--server_tls", "--server_address", "127.0.0.1:0", "--sqlite_path",
                      dir + "/g.db", "--server_tls_dir", dir + "/nonexistent"});
    EXPECT_EQ(code3, 2) << out3;
    EXPECT_TRUE(one_line(out3)) << out3;
    EXPECT_NE(out3.find("does not exist"), std::string::npos) << out3;

    // One of --server_cert/--server_key is still an error.
    auto [code4, out4] = run_flotilla({"serve", "--server_tls", "--server_cert", a + "/x.crt"});
    EXPECT_EQ(code4, 2) << out4;
    EXPECT_EQ(out4, "flotilla: --server_tls needs both --server_cert and --server_key (or "
                    "neither, for a self-signed certificate)\n");
    for (const auto& d : {dir, a, b})
        fs::remove_all(d);
}
