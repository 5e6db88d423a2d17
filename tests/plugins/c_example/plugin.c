/*
 * A cxaudit plugin in plain C: one evaluator, `wait_share`, that reads the
 * `calls` table through the Arrow C stream the host hands out and judges
 * the share of calls that waited at most `max_wait_seconds` against
 * `target_share`. Built and run end to end by tests/e2e/c_plugin.rs:
 *
 *   cc -std=c11 -Wall -Wextra -Werror -shared -fPIC -I include \
 *      -o libcxaudit_c_example.so tests/plugins/c_example/plugin.c
 *
 * It uses only the C standard library and include/cxaudit_plugin.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxaudit_plugin.h"

#define CX_STR(literal) {(const uint8_t *)(literal), sizeof(literal) - 1}

static const char MANIFEST[] =
    "{\"description\":\"Share of calls answered within a wait limit, against a target share "
    "(a plugin written in C).\","
    "\"tables\":[{\"name\":\"calls\",\"required\":true,\"columns\":["
    "{\"name\":\"wait_seconds\",\"type\":\"float\",\"required\":true}]}],"
    "\"parameters\":["
    "{\"name\":\"max_wait_seconds\",\"kind\":\"number\",\"default\":20.0,\"min\":0.0,"
    "\"description\":\"wait limit, seconds\"},"
    "{\"name\":\"target_share\",\"kind\":\"number\",\"default\":0.8,\"min\":0.0,\"max\":1.0,"
    "\"description\":\"required share of calls within the limit\"}],"
    "\"measurements\":[{\"name\":\"share_within\",\"unit\":\"ratio\","
    "\"definition\":\"calls with a wait at most the limit / calls with a wait\"}]}";

static void release_buffer(CxOwnedBuffer *buffer) {
    free(buffer->ptr);
    buffer->ptr = NULL;
    buffer->len = 0;
    buffer->capacity = 0;
}

/* Writes a printf-formatted message into `out` (allocated here, released
 * by the host through `release`) and returns `status`. */
static int32_t answer(CxOwnedBuffer *out, int32_t status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    int needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (needed < 0) {
        needed = 0;
    }
    char *text = malloc((size_t)needed + 1);
    if (text == NULL) {
        out->ptr = NULL;
        out->len = 0;
        out->capacity = 0;
        out->release = NULL;
        return CXAUDIT_EVALUATOR_FAILED;
    }
    va_start(args, format);
    vsnprintf(text, (size_t)needed + 1, format, args);
    va_end(args);
    out->ptr = (uint8_t *)text;
    out->len = (size_t)needed;
    out->capacity = (size_t)needed + 1;
    out->release = release_buffer;
    return status;
}

/* The number after `"key":` in the request's JSON (the host always sends
 * every parameter, the pack's value over the manifest's default). */
static int number_param(CxStr request, const char *key, double *value) {
    char *json = malloc(request.len + 1);
    if (json == NULL) {
        return 0;
    }
    memcpy(json, request.ptr, request.len);
    json[request.len] = '\0';
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    int found = 0;
    if (at != NULL) {
        char *end = NULL;
        *value = strtod(at + strlen(pattern), &end);
        found = end != at + strlen(pattern);
    }
    free(json);
    return found;
}

/* Index of the child named `name` of a struct schema, or -1. */
static int64_t child_index(const struct ArrowSchema *schema, const char *name) {
    for (int64_t i = 0; i < schema->n_children; i++) {
        if (schema->children[i]->name != NULL && strcmp(schema->children[i]->name, name) == 0) {
            return i;
        }
    }
    return -1;
}

static int32_t wait_share(const void *context, CxStr request, const CxHostApi *host,
                          CxOwnedBuffer *out) {
    (void)context;
    double max_wait = 0.0, target = 0.0;
    if (!number_param(request, "max_wait_seconds", &max_wait) ||
        !number_param(request, "target_share", &target)) {
        return answer(out, CXAUDIT_EVALUATOR_FAILED,
                      "the request lacks max_wait_seconds or target_share");
    }

    struct ArrowArrayStream stream;
    memset(&stream, 0, sizeof stream);
    CxStr table = CX_STR("calls");
    if (host->open_table(host->context, table, &stream) != CXAUDIT_OK) {
        CxStr why = host->last_error(host->context);
        return answer(out, CXAUDIT_OK,
                      "{\"status\":\"insufficient_evidence\",\"summary\":\"no calls table: %.*s\"}",
                      (int)why.len, (const char *)why.ptr);
    }
    struct ArrowSchema schema;
    memset(&schema, 0, sizeof schema);
    if (stream.get_schema(&stream, &schema) != 0) {
        stream.release(&stream);
        return answer(out, CXAUDIT_EVALUATOR_FAILED, "cannot read the calls table's schema");
    }
    int64_t column = child_index(&schema, "wait_seconds");
    if (column < 0 || strcmp(schema.children[column]->format, "g") != 0) {
        schema.release(&schema);
        stream.release(&stream);
        return answer(out, CXAUDIT_EVALUATOR_FAILED,
                      "calls.wait_seconds is missing or not a float64 column");
    }

    uint64_t within = 0, total = 0;
    for (;;) {
        struct ArrowArray batch;
        memset(&batch, 0, sizeof batch);
        if (stream.get_next(&stream, &batch) != 0) {
            schema.release(&schema);
            stream.release(&stream);
            return answer(out, CXAUDIT_EVALUATOR_FAILED, "cannot read a batch of calls");
        }
        if (batch.release == NULL) {
            break; /* end of stream */
        }
        const struct ArrowArray *waits = batch.children[column];
        const uint8_t *valid = waits->buffers[0];
        const double *values = waits->buffers[1];
        for (int64_t row = 0; row < waits->length; row++) {
            int64_t i = row + waits->offset;
            if (valid != NULL && !(valid[i / 8] & (1u << (i % 8)))) {
                continue; /* no wait recorded */
            }
            total++;
            if (values[i] <= max_wait) {
                within++;
            }
        }
        batch.release(&batch);
    }
    schema.release(&schema);
    stream.release(&stream);

    if (total == 0) {
        return answer(out, CXAUDIT_OK,
                      "{\"status\":\"insufficient_evidence\",\"summary\":\"no call has a wait time\"}");
    }
    double share = (double)within / (double)total;
    double score = target > 0.0 ? share / target : 1.0;
    if (score > 1.0) {
        score = 1.0;
    }
    int passed = share >= target;
    return answer(
        out, CXAUDIT_OK,
        "{\"status\":\"%s\",\"score\":%.6f,"
        "\"summary\":\"%llu of %llu calls waited at most %g s (%.1f%%, target %.1f%%).\","
        "\"checks\":[{\"id\":\"share_within\",\"description\":\"Share of calls within the wait "
        "limit\",\"measured\":%.6f,\"expected\":\">= %g\",\"passed\":%s}],"
        /* Unit and definition: the manifest's, filled in by the host. */
        "\"measurements\":[{\"name\":\"share_within\",\"value\":%.6f}]}",
        passed ? "met" : "not_met", score, (unsigned long long)within,
        (unsigned long long)total, max_wait, share * 100.0, target * 100.0, share, target,
        passed ? "true" : "false", share);
}

static const CxEvaluatorDescriptor EVALUATORS[] = {
    {sizeof(CxEvaluatorDescriptor), CX_STR("wait_share"), CX_STR(MANIFEST), NULL, wait_share},
};

static const CxPluginDescriptor PLUGIN = {
    sizeof(CxPluginDescriptor),
    CXAUDIT_ABI_VERSION,
    CX_STR("c_example"),
    CX_STR("0.1.0"),
    CX_STR("c-header-1.0"),
    sizeof EVALUATORS / sizeof EVALUATORS[0],
    EVALUATORS,
};

uint32_t cxaudit_plugin_abi_version(void) { return CXAUDIT_ABI_VERSION; }

const CxPluginDescriptor *cxaudit_plugin_init(void) { return &PLUGIN; }
