#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/NameValueCollection.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace TokenBroker::Emulator {

/// A fully read HTTP request, decoupled from POCO's streams so endpoints are
/// plain functions of their input.
struct HttpRequest
{
    std::string method;
    std::string path;                                  ///< without the query
    std::string rawQuery;                              ///< as sent, without '?'
    std::vector<std::pair<std::string, std::string>> query; ///< decoded
    Poco::Net::NameValueCollection headers;            ///< case-insensitive lookup
    std::string body;

    /// First value of a query parameter.
    std::optional<std::string> queryParam(const std::string& name) const;
};

/// What an endpoint answers. Content type defaults to JSON because every
/// Coze API answer is JSON; only the authorize error page differs.
struct HttpResponse
{
    int status = 200;
    std::string contentType = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

/// An OAuth-envelope failure (spec §4/§5). Endpoints throw it; the request
/// handler renders it, so every rejection has the same shape.
class OAuthError : public std::runtime_error
{
public:
    OAuthError(std::string code, const std::string& message);

    const std::string& code() const { return _code; }
    /// 401 for invalid_client, 400 otherwise (spec §5).
    int status() const;

private:
    std::string _code;
};

HttpResponse jsonResponse(int status, const Poco::JSON::Object& object);

/// `{"error","error_code","error_message","error_description"}`: all four
/// members, so that every SDK's parser recognises the failure.
HttpResponse oauthErrorResponse(const OAuthError& error);

/// OpenAPI envelope failure `{"code":N,"msg":"..."}`.
HttpResponse openApiError(int status, int code, const std::string& msg);

/// The JSON object body of a token-style request; throws `invalid_request`
/// unless the media type is application/json (parameters allowed) and the body
/// is a JSON object.
Poco::JSON::Object::Ptr parseJsonObjectBody(const HttpRequest& request);

/// A string member that must be present and non-empty, else `invalid_request`.
std::string requireString(const Poco::JSON::Object& body, const std::string& name);

/// A string member that may be absent or null; other types are `invalid_request`.
std::optional<std::string> optionalString(const Poco::JSON::Object& body, const std::string& name);

/// A JSON integer: POCO reports booleans as integers too, JSON does not.
bool isJsonInteger(const Poco::Dynamic::Var& value);

/// The credential of an `Authorization: Bearer ...` header; empty when the
/// header is absent, `Bearer` or `Bearer ` (SDKs send all three, spec §2).
std::string bearerCredential(const HttpRequest& request);

} // namespace TokenBroker::Emulator
