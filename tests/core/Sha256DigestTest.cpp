// Profile fingerprints are SHA-256 by OpenSSL now: the same digests as
// POCO's own SHA2Engine gave before (FIPS 180-2's vectors and any text, fed
// at once or piece by piece), so nothing stored or compared changes.

#include <boost/test/unit_test.hpp>

#include "Sha256Digest.h"

#include <Poco/SHA2Engine.h>

#include <string>

using namespace TokenBroker;

BOOST_AUTO_TEST_SUITE(Sha256)

BOOST_AUTO_TEST_CASE(the_fips_vectors_and_any_text_digest_as_poco_sha2_did)
{
    BOOST_TEST(Sha256Digest::hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(Sha256Digest::hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    std::string text;
    for (int i = 0; i < 3000; ++i)
        text += static_cast<char>(i * 7 % 256);
    Poco::SHA2Engine poco(Poco::SHA2Engine::SHA_256);
    poco.update(text);
    BOOST_TEST(Sha256Digest::hex(text) == Poco::DigestEngine::digestToHex(poco.digest()));
}

BOOST_AUTO_TEST_CASE(pieces_digest_as_the_whole_and_digest_starts_afresh)
{
    Sha256Digest sha256;
    sha256.update('a');
    sha256.update(std::string("b"));
    sha256.update("c", 1);
    BOOST_TEST(Poco::DigestEngine::digestToHex(sha256.digest()) == Sha256Digest::hex("abc"));
    sha256.update("abc", 3);
    BOOST_TEST(Poco::DigestEngine::digestToHex(sha256.digest()) == Sha256Digest::hex("abc"), "the second digest is of what came after the first");
    BOOST_TEST(sha256.digestLength() == 32u);
}

BOOST_AUTO_TEST_SUITE_END()
