#pragma once

#include <string>

namespace TokenBroker::Test {

/// Key files for tests, made in process with OpenSSL's API rather than the
/// openssl program, which Windows test builds cannot start under wine.
/// Each throws std::runtime_error when OpenSSL or the file write fails.

/// A new 2048-bit RSA key: `privatePem` as PKCS#8 ("BEGIN PRIVATE KEY",
/// what `openssl genrsa` writes in OpenSSL 3) and `publicPem` as
/// SubjectPublicKeyInfo ("BEGIN PUBLIC KEY").
void writeRsaKeyPair(const std::string& privatePem, const std::string& publicPem);

/// The key in `privatePem` again, in the traditional PKCS#1 form
/// ("BEGIN RSA PRIVATE KEY", `openssl rsa -traditional`).
void writeTraditionalRsaKey(const std::string& privatePem, const std::string& traditionalPem);

/// A new P-256 key in the SEC1 form ("BEGIN EC PRIVATE KEY",
/// `openssl ecparam -genkey -noout`).
void writeEcKey(const std::string& privatePem);

} // namespace TokenBroker::Test

namespace TokenBroker::Test {

/// A throwaway PKI on disk: a self-signed P-256 CA (`ca.pem`, `ca.key`) and
/// a server certificate it issued (`server.pem`, `server.key`) for
/// `subjectAltName` in openssl's notation ("IP:127.0.0.1",
/// "DNS:api.example.org"), valid for a day.
void writeServerPki(const std::string& directory, const std::string& subjectAltName);

} // namespace TokenBroker::Test
