/*
 * An out-of-tree tokenbroker plugin in plain C, built against the public
 * header <tokenbroker/plugin.h> alone. PluginLoaderTest compiles it with the
 * system C compiler outside the main build, then runs the broker with it.
 *
 * Flow "hello": the token is "<prefix>-<n>", where n counts the tokens this
 * profile has been issued, kept through the host's state service; it
 * expires `lifetime` seconds after it is issued.
 */
#include <tokenbroker/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hello_instance {
    char prefix[64];
    long lifetime;
} hello_instance;

static char *duplicate(const char *text)
{
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy)
        memcpy(copy, text, n);
    return copy;
}

static void free_string(char *s)
{
    free(s);
}

/* Minimal extraction of "key":"value" / "key":number from flat JSON. */
static int find_string(const char *json, const char *key, char *out, size_t size)
{
    char pattern[80];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *at = strstr(json, pattern);
    if (!at)
        return 0;
    at += strlen(pattern);
    size_t i = 0;
    while (at[i] && at[i] != '"' && i + 1 < size) {
        out[i] = at[i];
        i++;
    }
    out[i] = '\0';
    return 1;
}

static long find_number(const char *json, const char *key, long fallback)
{
    char pattern[80];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    return at ? strtol(at + strlen(pattern), NULL, 10) : fallback;
}

static int create(const char *flow, const char *settings, const tokenbroker_host *host, void **instance,
                  char **error_json)
{
    (void)flow;
    (void)host;
    hello_instance *self = calloc(1, sizeof *self);
    if (!self)
        return TOKENBROKER_FATAL;
    if (!find_string(settings, "prefix", self->prefix, sizeof self->prefix) || self->prefix[0] == '\0') {
        free(self);
        *error_json = duplicate("{\"key\":\"prefix\",\"message\":\"'prefix' must not be empty\"}");
        return TOKENBROKER_INVALID_SETTINGS;
    }
    self->lifetime = find_number(settings, "lifetime", 3600);
    if (self->lifetime < 2) {
        free(self);
        *error_json = duplicate("{\"key\":\"lifetime\",\"message\":\"'lifetime' must be at least 2 seconds\"}");
        return TOKENBROKER_INVALID_SETTINGS;
    }
    *instance = self;
    return TOKENBROKER_OK;
}

static void destroy(void *instance)
{
    free(instance);
}

static int issue(void *instance, const tokenbroker_host *host, char **result_json)
{
    hello_instance *self = instance;
    char *state = NULL;
    if (host->state_load(host->context, &state) != TOKENBROKER_OK) {
        if (state)
            host->free_string(state);
        *result_json = duplicate("{\"message\":\"state unavailable\"}");
        return TOKENBROKER_RETRY;
    }
    long issued = find_number(state, "issued", 0) + 1;
    host->free_string(state);

    char saved[64];
    snprintf(saved, sizeof saved, "{\"issued\":%ld}", issued);
    if (host->state_save(host->context, saved) != TOKENBROKER_OK) {
        *result_json = duplicate("{\"message\":\"cannot save state\"}");
        return TOKENBROKER_RETRY;
    }
    host->log(host->context, TOKENBROKER_LOG_INFO, "hello: issued a token");

    long long expires = host->now_ms(host->context) / 1000 + self->lifetime;
    char result[256];
    snprintf(result, sizeof result, "{\"access_token\":\"%s-%ld\",\"expires_at\":%lld,\"token_type\":\"Bearer\"}",
             self->prefix, issued, expires);
    *result_json = duplicate(result);
    return TOKENBROKER_OK;
}

static int describe(void *instance, char **description_json)
{
    (void)instance;
    *description_json = duplicate("{}");
    return TOKENBROKER_OK;
}

static const tokenbroker_flow flows[] = {
    {"hello", "counts its tokens (an out-of-tree C plugin)",
     "{\"prefix\": {\"type\": \"string\", \"required\": true}, \"lifetime\": {\"type\": \"duration\"}}"},
};

static const tokenbroker_plugin descriptor = {
    .struct_size = sizeof(tokenbroker_plugin),
    .abi_version = TOKENBROKER_PLUGIN_ABI_VERSION,
    .name = "hello",
    .version = "1.0",
    .flows = flows,
    .flow_count = 1,
    .create = create,
    .destroy = destroy,
    .acquire = issue,
    .refresh = issue,
    .describe = describe,
    .free_string = free_string,
    .login = NULL, /* nothing to log in to */
    .flow_struct_size = sizeof(tokenbroker_flow),
};

TOKENBROKER_PLUGIN_EXPORT const tokenbroker_plugin *tokenbroker_plugin_v1(uint32_t host_abi_version)
{
    return host_abi_version == TOKENBROKER_PLUGIN_ABI_VERSION ? &descriptor : NULL;
}
