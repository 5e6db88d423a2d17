/*
 * The `{{plugin_name}}` cxaudit plugin, in C: one evaluator, `answered_within`,
 * judging the share of offered contacts (answered or abandoned) of the judged
 * channels that were answered within a wait limit, against a target share,
 * with a drill-down by channel. It reads the canonical `contacts` table
 * through the Arrow C stream the host hands out, and uses only the C standard
 * library and cxaudit_plugin.h (copied beside it). Build: `make`.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cxaudit_plugin.h"

#define CX_STR(literal) {(const uint8_t *)(literal), sizeof(literal) - 1}

/* What the share measures, as the finding states it. */
#define DEFINITION                                                                    \
    "contacts answered with a wait at most the limit / contacts offered (answered or " \
    "abandoned), over the judged channels"

static const char MANIFEST[] =
    "{\"description\":\"Share of offered contacts answered within a wait limit, by channel, "
    "against a target share.\","
    "\"tables\":[{\"name\":\"contacts\",\"required\":true,\"columns\":["
    "{\"name\":\"channel\",\"type\":\"string\",\"required\":true},"
    "{\"name\":\"arrived_at\",\"type\":\"timestamp\",\"required\":true},"
    "{\"name\":\"answered_at\",\"type\":\"timestamp\",\"required\":true},"
    "{\"name\":\"abandoned\",\"type\":\"bool\",\"required\":true}]}],"
    "\"parameters\":["
    "{\"name\":\"wait_limit_seconds\",\"kind\":\"number\",\"default\":20.0,\"min\":0.0,"
    "\"description\":\"the longest wait that counts as answered in time, seconds\"},"
    "{\"name\":\"target_share\",\"kind\":\"number\",\"default\":0.8,\"min\":0.0,\"max\":1.0,"
    "\"description\":\"share of offered contacts to answer within the limit\"},"
    "{\"name\":\"channels\",\"kind\":\"list\",\"default\":[\"voice\",\"chat\",\"messaging\"],"
    "\"description\":\"the channels judged (a limit in seconds suits live channels)\"}],"
    "\"measurements\":["
    "{\"name\":\"answered_within_share\",\"unit\":\"ratio\",\"definition\":\"" DEFINITION "\"},"
    "{\"name\":\"offered_contacts\",\"unit\":\"contacts\","
    "\"definition\":\"contacts of the judged channels answered or abandoned\"}]}";

/* ---- A growing text buffer, handed to the host as the result ---- */

typedef struct Text {
    char *ptr;
    size_t len;
    size_t capacity;
    int failed; /* out of memory */
} Text;

static void append(Text *t, const char *format, ...) {
    if (t->failed) {
        return;
    }
    va_list args;
    va_start(args, format);
    int needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (needed < 0) {
        t->failed = 1;
        return;
    }
    if (t->len + (size_t)needed + 1 > t->capacity) {
        size_t capacity = (t->len + (size_t)needed + 1) * 2;
        char *grown = realloc(t->ptr, capacity);
        if (grown == NULL) {
            t->failed = 1;
            return;
        }
        t->ptr = grown;
        t->capacity = capacity;
    }
    va_start(args, format);
    vsnprintf(t->ptr + t->len, (size_t)needed + 1, format, args);
    va_end(args);
    t->len += (size_t)needed;
}

static void release_buffer(CxOwnedBuffer *buffer) {
    free(buffer->ptr);
    buffer->ptr = NULL;
    buffer->len = 0;
    buffer->capacity = 0;
}

/* Hands `t` to the host (which releases it) and returns `status`. */
static int32_t answer_text(CxOwnedBuffer *out, int32_t status, Text *t) {
    if (t->failed || t->ptr == NULL) {
        free(t->ptr);
        out->ptr = NULL;
        out->len = 0;
        out->capacity = 0;
        out->release = NULL;
        return CXAUDIT_EVALUATOR_FAILED;
    }
    out->ptr = (uint8_t *)t->ptr;
    out->len = t->len;
    out->capacity = t->capacity;
    out->release = release_buffer;
    return status;
}

/* A message (or a whole JSON result) in `out`, returning `status`. */
static int32_t answer(CxOwnedBuffer *out, int32_t status, const char *message) {
    Text t = {0};
    append(&t, "%s", message);
    return answer_text(out, status, &t);
}

/* ---- The request's parameters (the host sends every one, the pack's value
 * over the manifest's default, as compact JSON) ---- */

#define MAX_CHANNELS 8
#define MAX_NAME 32

typedef struct Params {
    double wait_limit_seconds;
    double target_share;
    size_t channel_count;
    char channels[MAX_CHANNELS][MAX_NAME];
} Params;

/* Where the value of `"key":` starts in `json`, or NULL. */
static const char *value_of(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    return at == NULL ? NULL : at + strlen(pattern);
}

static int compare_names(const void *a, const void *b) { return strcmp(a, b); }

/* Reads the parameters; 0 and a reason in `why` when one is unusable. */
static int read_params(const char *json, Params *p, const char **why) {
    const char *at = value_of(json, "wait_limit_seconds");
    char *end = NULL;
    if (at == NULL || (p->wait_limit_seconds = strtod(at, &end), end == at)) {
        *why = "the request lacks wait_limit_seconds";
        return 0;
    }
    at = value_of(json, "target_share");
    if (at == NULL || (p->target_share = strtod(at, &end), end == at)) {
        *why = "the request lacks target_share";
        return 0;
    }
    at = value_of(json, "channels");
    if (at == NULL || *at != '[') {
        *why = "the request lacks the channels list";
        return 0;
    }
    p->channel_count = 0;
    for (at++; *at != ']';) {
        if (*at == ',' || *at == ' ') {
            at++;
            continue;
        }
        if (*at != '"' || p->channel_count == MAX_CHANNELS) {
            *why = "channels must be a list of at most 8 channel names";
            return 0;
        }
        size_t len = 0;
        for (at++; *at != '"'; at++, len++) {
            int ok = (*at >= 'a' && *at <= 'z') || (*at >= '0' && *at <= '9') || *at == '_';
            if (!ok || len + 1 == MAX_NAME) {
                *why = "a channel name is not a canonical channel (a-z, 0-9, _)";
                return 0;
            }
            p->channels[p->channel_count][len] = *at;
        }
        p->channels[p->channel_count][len] = '\0';
        p->channel_count++;
        at++; /* the closing quote */
    }
    /* Sorted, so the drill-down's rows come in a stable order. */
    qsort(p->channels, p->channel_count, MAX_NAME, compare_names);
    return 1;
}

/* ---- Reading the Arrow columns ---- */

/* Index of the child named `name` of a struct schema, or -1. */
static int64_t child_index(const struct ArrowSchema *schema, const char *name) {
    for (int64_t i = 0; i < schema->n_children; i++) {
        if (schema->children[i]->name != NULL && strcmp(schema->children[i]->name, name) == 0) {
            return i;
        }
    }
    return -1;
}

/* Whether element `i` (buffer index, offsets applied) of `a` is valid. */
static int is_valid(const struct ArrowArray *a, int64_t i) {
    const uint8_t *validity = a->buffers[0];
    return validity == NULL || (validity[i / 8] >> (i % 8)) & 1;
}

/* Whether a column is text as the host sends it: plain ("u"), or (ABI 1.1)
 * dictionary-encoded, Int32 indexes ("i") into a "u" dictionary of values,
 * for a column the pack marks low_cardinality. */
static int is_text(const struct ArrowSchema *s) {
    if (strcmp(s->format, "u") == 0) {
        return 1;
    }
    return strcmp(s->format, "i") == 0 && s->dictionary != NULL &&
           strcmp(s->dictionary->format, "u") == 0;
}

/* The text of element `i` (buffer index, offsets applied) of a text column
 * and its length in `len`; NULL for an empty cell. */
static const char *text_at(const struct ArrowArray *a, int64_t i, size_t *len) {
    if (!is_valid(a, i)) {
        return NULL;
    }
    if (a->dictionary != NULL) { /* the index of the value, then the value */
        const struct ArrowArray *values = a->dictionary;
        int64_t k = (int64_t)((const int32_t *)a->buffers[1])[i] + values->offset;
        if (!is_valid(values, k)) {
            return NULL;
        }
        a = values;
        i = k;
    }
    const int32_t *offsets = a->buffers[1];
    *len = (size_t)(offsets[i + 1] - offsets[i]);
    return (const char *)a->buffers[2] + offsets[i];
}

/* Milliseconds of a timestamp element: `ms_per_unit` is 1 for "tsm:" and
 * 1000 for "tss:" columns. */
static int64_t millis(const struct ArrowArray *a, int64_t i, int64_t ms_per_unit) {
    return ((const int64_t *)a->buffers[1])[i] * ms_per_unit;
}

/* Milliseconds per unit of a timestamp column's format, or 0. */
static int64_t ms_per_unit(const char *format) {
    if (strncmp(format, "tsm:", 4) == 0) {
        return 1;
    }
    if (strncmp(format, "tss:", 4) == 0) {
        return 1000;
    }
    return 0;
}

typedef struct Tally {
    uint64_t offered;
    uint64_t within;
} Tally;

static int32_t answered_within(const void *context, CxStr request, const CxHostApi *host,
                               CxOwnedBuffer *out) {
    (void)context;
    char *json = malloc(request.len + 1);
    if (json == NULL) {
        return answer(out, CXAUDIT_EVALUATOR_FAILED, "out of memory");
    }
    memcpy(json, request.ptr, request.len);
    json[request.len] = '\0';
    Params p;
    const char *why = NULL;
    int ok = read_params(json, &p, &why);
    free(json);
    if (!ok) {
        return answer(out, CXAUDIT_EVALUATOR_FAILED, why);
    }

    struct ArrowArrayStream stream;
    memset(&stream, 0, sizeof stream);
    CxStr table = CX_STR("contacts");
    if (host->open_table(host->context, table, &stream) != CXAUDIT_OK) {
        CxStr reason = host->last_error(host->context);
        Text t = {0};
        append(&t, "{\"status\":\"insufficient_evidence\",\"summary\":\"no contacts table: ");
        for (size_t i = 0; i < reason.len; i++) { /* as JSON text */
            char c = (char)reason.ptr[i];
            if (c == '"' || c == '\\') {
                append(&t, "\\%c", c);
            } else if ((unsigned char)c >= 0x20) {
                append(&t, "%c", c);
            }
        }
        append(&t, "\"}");
        return answer_text(out, CXAUDIT_OK, &t);
    }
    struct ArrowSchema schema;
    memset(&schema, 0, sizeof schema);
    if (stream.get_schema(&stream, &schema) != 0) {
        stream.release(&stream);
        return answer(out, CXAUDIT_EVALUATOR_FAILED, "cannot read the contacts table's schema");
    }
    int64_t channel = child_index(&schema, "channel");
    int64_t arrived = child_index(&schema, "arrived_at");
    int64_t answered = child_index(&schema, "answered_at");
    int64_t abandoned = child_index(&schema, "abandoned");
    int64_t arrived_unit = arrived < 0 ? 0 : ms_per_unit(schema.children[arrived]->format);
    int64_t answered_unit = answered < 0 ? 0 : ms_per_unit(schema.children[answered]->format);
    if (channel < 0 || !is_text(schema.children[channel]) || arrived_unit == 0 ||
        answered_unit == 0 || abandoned < 0 ||
        strcmp(schema.children[abandoned]->format, "b") != 0) {
        schema.release(&schema);
        stream.release(&stream);
        return answer(out, CXAUDIT_EVALUATOR_FAILED,
                      "contacts lacks channel (string), arrived_at and answered_at "
                      "(timestamps) or abandoned (bool)");
    }

    Tally tallies[MAX_CHANNELS] = {{0, 0}};
    for (;;) {
        struct ArrowArray batch;
        memset(&batch, 0, sizeof batch);
        if (stream.get_next(&stream, &batch) != 0) {
            schema.release(&schema);
            stream.release(&stream);
            return answer(out, CXAUDIT_EVALUATOR_FAILED, "cannot read a batch of contacts");
        }
        if (batch.release == NULL) {
            break; /* end of stream */
        }
        const struct ArrowArray *ch = batch.children[channel];
        const struct ArrowArray *in = batch.children[arrived];
        const struct ArrowArray *an = batch.children[answered];
        const struct ArrowArray *ab = batch.children[abandoned];
        const uint8_t *abandoned_bits = ab->buffers[1];
        for (int64_t row = batch.offset; row < batch.offset + batch.length; row++) {
            size_t len = 0;
            const char *name = text_at(ch, row + ch->offset, &len);
            if (name == NULL) {
                continue;
            }
            size_t judged = 0;
            while (judged < p.channel_count &&
                   !(strlen(p.channels[judged]) == len && memcmp(p.channels[judged], name, len) == 0)) {
                judged++;
            }
            if (judged == p.channel_count) {
                continue; /* not a judged channel */
            }
            int64_t i = row + in->offset, j = row + an->offset, k = row + ab->offset;
            int within;
            if (is_valid(in, i) && is_valid(an, j)) {
                double wait = (double)(millis(an, j, answered_unit) - millis(in, i, arrived_unit)) /
                              1000.0;
                within = wait <= p.wait_limit_seconds;
            } else if (is_valid(ab, k) && (abandoned_bits[k / 8] >> (k % 8)) & 1) {
                within = 0;
            } else {
                continue; /* neither answered nor abandoned: not offered */
            }
            tallies[judged].offered++;
            tallies[judged].within += (uint64_t)within;
        }
        batch.release(&batch);
    }
    schema.release(&schema);
    stream.release(&stream);

    Tally total = {0, 0};
    for (size_t c = 0; c < p.channel_count; c++) {
        total.offered += tallies[c].offered;
        total.within += tallies[c].within;
    }
    if (total.offered == 0) {
        Text t = {0};
        append(&t, "{\"status\":\"insufficient_evidence\",\"summary\":\"no contact of the channels ");
        for (size_t c = 0; c < p.channel_count; c++) {
            append(&t, "%s%s", c == 0 ? "" : ", ", p.channels[c]);
        }
        append(&t, " was answered or abandoned\"}");
        return answer_text(out, CXAUDIT_OK, &t);
    }
    double share = (double)total.within / (double)total.offered;
    /* Partial credit in proportion to the target; the host maps the score
     * to a status with the pack's thresholds. */
    double score = share >= p.target_share ? 1.0 : share / p.target_share;
    int passed = share >= p.target_share;

    Text t = {0};
    append(&t, "{\"status\":\"%s\",\"score\":%.17g,", passed ? "met" : "not_met", score);
    append(&t,
           "\"summary\":\"%llu of %llu offered contacts answered within %g s (%.1f%%, target "
           "%.1f%%).\",",
           (unsigned long long)total.within, (unsigned long long)total.offered,
           p.wait_limit_seconds, share * 100.0, p.target_share * 100.0);
    append(&t,
           "\"checks\":[{\"id\":\"answered_within\",\"description\":\"Share of offered contacts "
           "answered within the wait limit\",\"measured\":%.17g,\"expected\":\">= %g\","
           "\"passed\":%s}],",
           share, p.target_share, passed ? "true" : "false");
    append(&t,
           "\"measurements\":[{\"name\":\"answered_within_share\",\"value\":%.17g,"
           "\"unit\":\"ratio\",\"definition\":\"" DEFINITION "\"},"
           "{\"name\":\"offered_contacts\",\"value\":%llu,\"unit\":\"contacts\","
           "\"definition\":\"contacts of the judged channels answered or abandoned\"}],",
           share, (unsigned long long)total.offered);
    append(&t, "\"definitions\":[{\"term\":\"answered within the limit\",\"text\":\"" DEFINITION
               "\"}],");
    /* The drill-down by channel: each column with the unit of its numbers. */
    append(&t, "\"drilldowns\":[{\"id\":\"by_channel\",\"title\":\"Answered within the wait "
               "limit, by channel\",\"columns\":[\"channel\",\"offered\",\"answered within the "
               "limit\",\"share\"],\"units\":[\"\",\"contacts\",\"contacts\",\"ratio\"],"
               "\"rows\":[");
    int first = 1;
    for (size_t c = 0; c < p.channel_count; c++) {
        if (tallies[c].offered == 0) {
            continue;
        }
        append(&t, "%s[\"%s\",%llu,%llu,%.17g]", first ? "" : ",", p.channels[c],
               (unsigned long long)tallies[c].offered, (unsigned long long)tallies[c].within,
               (double)tallies[c].within / (double)tallies[c].offered);
        first = 0;
    }
    append(&t, "]}],\"observations\":[");
    first = 1;
    for (size_t c = 0; c < p.channel_count; c++) {
        if (tallies[c].offered == 0) {
            append(&t, "%s\"No `%s` contact was answered or abandoned.\"", first ? "" : ",",
                   p.channels[c]);
            first = 0;
        }
    }
    append(&t, "]");
    if (!passed) {
        /* Contacts short of the target, rounded up. */
        double short_by = p.target_share * (double)total.offered - (double)total.within;
        unsigned long long more = (unsigned long long)short_by;
        if ((double)more < short_by) {
            more++;
        }
        append(&t,
               ",\"actions\":[{\"text\":\"Answer %llu more of the %llu offered contacts within "
               "%g s: staff the intervals and channels with the longest waits.\","
               "\"effort\":\"medium\",\"owner_role\":\"process\"}]",
               more, (unsigned long long)total.offered, p.wait_limit_seconds);
    }
    append(&t, "}");
    return answer_text(out, CXAUDIT_OK, &t);
}

static const CxEvaluatorDescriptor EVALUATORS[] = {
    {sizeof(CxEvaluatorDescriptor), CX_STR("answered_within"), CX_STR(MANIFEST), NULL,
     answered_within},
};

static const CxPluginDescriptor PLUGIN = {
    sizeof(CxPluginDescriptor),
    CXAUDIT_ABI_VERSION,
    CX_STR("{{plugin_name}}"),
    CX_STR("0.1.0"),
    CX_STR("c-header-1.0"),
    sizeof EVALUATORS / sizeof EVALUATORS[0],
    EVALUATORS,
};

uint32_t cxaudit_plugin_abi_version(void) { return CXAUDIT_ABI_VERSION; }

const CxPluginDescriptor *cxaudit_plugin_init(void) { return &PLUGIN; }
