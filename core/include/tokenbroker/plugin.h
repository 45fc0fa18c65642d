/*
 * tokenbroker plugin ABI, version 1.
 *
 * A flow plugin is a shared library that exports one C function,
 * tokenbroker_plugin_v1(), returning a static descriptor. Only C types and
 * JSON text cross the boundary, so a plugin built with another compiler or
 * another C++ runtime still loads. This header is the whole SDK: an
 * out-of-tree plugin needs nothing else.
 *
 * Versioning (in the manner of sudo's plugin API):
 *  - Both sides carry TOKENBROKER_PLUGIN_ABI_VERSION. The host passes its
 *    version to tokenbroker_plugin_v1(); a plugin returns NULL for a host it
 *    cannot serve. The host refuses a descriptor whose abi_version differs
 *    from its own.
 *  - Every struct starts with struct_size. Within one ABI version fields are
 *    only ever appended, so a reader checks struct_size before touching a
 *    field that a newer header added (TOKENBROKER_HAS_FIELD).
 *  - A struct that travels in an array (tokenbroker_flow in
 *    tokenbroker_plugin::flows) has no struct_size of its own: the
 *    descriptor's flow_struct_size gives the size every element was built
 *    with, which is the array's stride. The reader steps through `flows` by
 *    that stride (not by its own sizeof, which may be smaller or larger) and
 *    reads a flow field only when the stride contains it
 *    (TOKENBROKER_FLOW_HAS_FIELD). A descriptor too old to have
 *    flow_struct_size, or one that leaves it 0, has flows of the original
 *    three pointers (TOKENBROKER_FLOW_V1_SIZE). So tokenbroker_flow, too,
 *    can grow by appending within ABI 1.
 *
 * Memory: a string a callee hands back through a `char **` out-parameter is
 * released by the same side's free_string (host strings with
 * tokenbroker_host::free_string, plugin strings with
 * tokenbroker_plugin::free_string). Nothing else is transferred.
 *
 * Threads: the host never calls into one flow instance from two threads at
 * once; different instances may be called concurrently.
 *
 * I/O: a plugin does no I/O of its own. Network, clock, randomness, logging
 * and persistent state go through the tokenbroker_host table handed to each
 * call, which applies the profile's TLS settings, timeouts and file modes.
 */
#ifndef TOKENBROKER_PLUGIN_H
#define TOKENBROKER_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TOKENBROKER_PLUGIN_ABI_VERSION 1u
#define TOKENBROKER_PLUGIN_SYMBOL "tokenbroker_plugin_v1"

#if defined(_WIN32)
#define TOKENBROKER_PLUGIN_EXPORT __declspec(dllexport)
#else
#define TOKENBROKER_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/** True when a struct of `size` bytes (as its writer built it) contains `field`. */
#define TOKENBROKER_SIZE_HAS_FIELD(size, type, field) \
    ((size_t)(size) >= offsetof(type, field) + sizeof(((type *)0)->field))

/** True when a struct of the given (reported) size contains `field`. */
#define TOKENBROKER_HAS_FIELD(ptr, type, field) TOKENBROKER_SIZE_HAS_FIELD((ptr)->struct_size, type, field)

/** True when flows built with `stride` bytes each contain `field`. */
#define TOKENBROKER_FLOW_HAS_FIELD(stride, field) TOKENBROKER_SIZE_HAS_FIELD(stride, tokenbroker_flow, field)

/**
 * The size of tokenbroker_flow as ABI 1 first defined it (name, summary,
 * settings_schema): the stride of `flows` when the descriptor does not say.
 */
#define TOKENBROKER_FLOW_V1_SIZE (3 * sizeof(const char *))

/** Result of every plugin entry point and of host services that can fail. */
typedef enum tokenbroker_status {
    TOKENBROKER_OK = 0,
    /** Transient failure (network, timeout, 5xx, 429): try again later. */
    TOKENBROKER_RETRY = 1,
    /** Credentials or settings are wrong: retrying will not help. */
    TOKENBROKER_FATAL = 2,
    /** An interactive flow has no usable refresh token: run `tokenbroker login`. */
    TOKENBROKER_NEEDS_LOGIN = 3,
    /** create(): the settings were rejected. */
    TOKENBROKER_INVALID_SETTINGS = 4
} tokenbroker_status;

/** Log levels; the numbers match syslog and Poco::Message priorities. */
typedef enum tokenbroker_log_level {
    TOKENBROKER_LOG_ERROR = 3,
    TOKENBROKER_LOG_WARNING = 4,
    TOKENBROKER_LOG_NOTICE = 5,
    TOKENBROKER_LOG_INFO = 6,
    TOKENBROKER_LOG_DEBUG = 7
} tokenbroker_log_level;

/**
 * Services the host offers to one flow instance. `context` is opaque and must
 * be passed back to every function.
 */
typedef struct tokenbroker_host {
    uint32_t struct_size;
    uint32_t abi_version;
    void *context;

    /** Releases a string the host returned through a `char **`. */
    void (*free_string)(char *string);

    /**
     * Performs one HTTP(S) request with the profile's base_url, ca_file and
     * timeouts. request_json:
     *   {"method": "POST", "path": "/api/...",   (joined to base_url)
     *    "url": "https://...",                   (alternative to path)
     *    "headers": {"Name": "value"}, "body": "text"}
     * On TOKENBROKER_OK *response_json is
     *   {"status": 200, "headers": {"lower-case-name": "value"}, "body": "text"}
     * whatever the HTTP status. On transport failure (DNS, connect, TLS,
     * timeout) the result is TOKENBROKER_RETRY and *response_json is
     * {"error": "message"}; a malformed request gives TOKENBROKER_FATAL.
     */
    int (*http_request)(void *context, const char *request_json, char **response_json);

    /** Wall-clock time, Unix epoch milliseconds. */
    int64_t (*now_ms)(void *context);

    /** Fills buffer with cryptographically secure random bytes. */
    int (*random_bytes)(void *context, unsigned char *buffer, size_t length);

    /** Logs one line under the profile's logger. Never pass secrets. */
    void (*log)(void *context, int level, const char *message);

    /**
     * Reads the profile's plugin state (a JSON object; "{}" when none was
     * saved or the profile's identity changed since).
     */
    int (*state_load)(void *context, char **state_json);

    /**
     * Replaces the profile's plugin state. Returns only after the state is
     * durable (written atomically and synced), so a plugin that saves a
     * rotated refresh token before returning the access token never loses it.
     */
    int (*state_save)(void *context, const char *state_json);

    /* ---- interactive login (appended; check TOKENBROKER_HAS_FIELD) ---- */

    /**
     * Shows the user a step of `tokenbroker login`. event_json is one of
     *   {"kind": "device_code", "verification_uri": "...", "user_code": "...",
     *    "expires_in": <seconds>}
     *   {"kind": "progress", "message": "..."}
     * Outside `login` (in the daemon) nobody can act on it: the result is
     * TOKENBROKER_NEEDS_LOGIN and the plugin should give up.
     */
    int (*interact)(void *context, const char *event_json);

    /**
     * Sleeps; returns TOKENBROKER_RETRY early when the host is stopping (or
     * the user interrupted a login), TOKENBROKER_OK otherwise.
     */
    int (*sleep_ms)(void *context, int64_t milliseconds);

    /**
     * Receives a browser redirect. request_json:
     *   {"redirect_uri": "http://127.0.0.1:PORT/path", "authorize_url": "...",
     *    "state": "...", "timeout_seconds": 300}
     * The host listens on the host and port of redirect_uri (FATAL with
     * {"error": ...} when it cannot, e.g. the port is taken), shows the
     * authorize URL and opens a browser where it can, answers callbacks
     * whose path or state differ with an error page and keeps waiting, and
     * returns on the first matching callback with its query parameters:
     *   {"query": {"code": "...", "state": "..."}}
     * (or {"query": {"error": "...", ...}} when the user refused).
     * Timeout or interruption: TOKENBROKER_FATAL with {"error": "..."}.
     */
    int (*await_redirect)(void *context, const char *request_json, char **response_json);
} tokenbroker_host;

/**
 * One flow a plugin provides. Travels in an array, so it has no struct_size:
 * see tokenbroker_plugin::flow_struct_size. Fields are only ever appended.
 */
typedef struct tokenbroker_flow {
    /** The name profiles use in `flow:`. */
    const char *name;
    /** One line for `tokenbroker plugins`. */
    const char *summary;
    /**
     * JSON object describing the flow's settings, so the host can check keys,
     * types and locations before create() is called:
     *   {"key": {"type": "string"|"secret"|"boolean"|"integer"|"duration"|"object"|"list",
     *            "required": true, "env": "CONVENTIONAL_ENV_VAR", "summary": "..."}}
     * "secret" values may be literals, {file: PATH} or {env: NAME} and are
     * never shown; "duration" arrives in create() as integer seconds; "env"
     * names a variable read when the key is absent.
     */
    const char *settings_schema;
} tokenbroker_flow;

/** The descriptor tokenbroker_plugin_v1() returns. */
typedef struct tokenbroker_plugin {
    uint32_t struct_size;
    uint32_t abi_version;
    const char *name;
    const char *version;
    /**
     * flow_count flows, each flow_struct_size bytes apart (below). A host
     * never indexes this as a C array: its sizeof(tokenbroker_flow) may
     * differ from the plugin's.
     */
    const tokenbroker_flow *flows;
    size_t flow_count;

    /**
     * Creates an instance of `flow` from settings_json: the profile's keys
     * that the schema declares (secrets resolved, durations in seconds) plus
     * "profile" (its name), "base_url" and "www_base_url". On rejection returns
     * TOKENBROKER_INVALID_SETTINGS and sets *error_json to
     * {"key": "offending_key", "message": "..."} ("key" optional).
     */
    int (*create)(const char *flow, const char *settings_json, const tokenbroker_host *host,
                  void **instance, char **error_json);

    void (*destroy)(void *instance);

    /**
     * Obtains a token without a current one (start-up, `once`, after expiry).
     * On TOKENBROKER_OK *result_json is
     *   {"access_token": "...", "expires_at": <unix seconds, 0 = never>, "token_type": "Bearer"}
     * otherwise {"message": "...", "retry_after": <seconds, optional>}.
     */
    int (*acquire)(void *instance, const tokenbroker_host *host, char **result_json);

    /** Renews the current token; same results as acquire. */
    int (*refresh)(void *instance, const tokenbroker_host *host, char **result_json);

    /**
     * Non-secret facts about the instance for `check` and status pages, as a
     * JSON object (e.g. {"client_id": "...", "endpoint": "..."}). The member
     * "login": "device" says the flow's login finishes without a browser on
     * this machine (a device code), so the daemon may run it itself
     * (broker.device_login); "login": "browser" that it needs the redirect.
     */
    int (*describe)(void *instance, char **description_json);

    /** Releases a string the plugin returned through a `char **`. */
    void (*free_string)(char *string);

    /* ---- appended; check TOKENBROKER_HAS_FIELD ---- */

    /**
     * The first, interactive authorisation of a user flow (`tokenbroker
     * login`), through the host's interact / sleep_ms / await_redirect.
     * Persists what later refreshes need (state_save) before returning the
     * token. Same results as acquire. NULL when no flow of the plugin needs
     * a login.
     */
    int (*login)(void *instance, const tokenbroker_host *host, char **result_json);

    /* ---- appended; check TOKENBROKER_HAS_FIELD ---- */

    /**
     * sizeof(tokenbroker_flow) as the plugin was built: the stride of
     * `flows`. Set it to exactly that. 0 (a descriptor that does not set it)
     * and an absent field both mean TOKENBROKER_FLOW_V1_SIZE; a non-zero value
     * below that, or one that is not a multiple of the flow's alignment, gets
     * the plugin refused. size_t rather than uint32_t so the descriptor keeps
     * no tail padding a later field could hide in, which would make
     * TOKENBROKER_HAS_FIELD true for it on a plugin that never set it.
     */
    size_t flow_struct_size;
} tokenbroker_plugin;

/** The one symbol a plugin exports. */
typedef const tokenbroker_plugin *(*tokenbroker_plugin_entry)(uint32_t host_abi_version);

#ifdef __cplusplus
}
#endif

#endif /* TOKENBROKER_PLUGIN_H */
