/*
 * Unit test of the `{{plugin_name}}` plugin: calls its evaluator through the
 * descriptor, as cxaudit does, with a host of its own that serves one
 * hand-built `contacts` table as an Arrow C stream. Build and run: `make test`.
 */
#include <stdio.h>
#include <string.h>

#include "cxaudit_plugin.h"

static int passed = 0, failed = 0;

/* ---- The table: seven contacts, as the Arrow C data interface lays them out.
 * Voice: answered after 10 s and 30 s, one abandoned, one still open (not
 * offered). Chat: answered after 5 s and after exactly 20 s. E-mail (not a
 * judged channel): answered after two hours. Times in UTC milliseconds from
 * 2026-01-05 08:00:00. */
#define ROWS 7
#define T0 1767600000000LL

static const int32_t channel_offsets[ROWS + 1] = {0, 5, 10, 15, 20, 24, 28, 33};
static const char channel_data[] = "voicevoicevoicevoicechatchatemail";
static const int64_t arrived_ms[ROWS] = {T0, T0 + 60000, T0 + 120000, T0 + 180000,
                                         T0 + 3600000, T0 + 3600000, T0 + 7200000};
static const int64_t answered_ms[ROWS] = {T0 + 10000, T0 + 90000, 0, 0,
                                          T0 + 3605000, T0 + 3620000, T0 + 14400000};
static const uint8_t answered_valid[1] = {0x73}; /* rows 0, 1, 4, 5, 6 */
static const uint8_t abandoned_bits[1] = {0x04}; /* row 2 */

static const void *channel_buffers[3] = {NULL, channel_offsets, channel_data};
static const void *arrived_buffers[2] = {NULL, arrived_ms};
static const void *answered_buffers[2] = {answered_valid, answered_ms};
static const void *abandoned_buffers[2] = {NULL, abandoned_bits};
static const void *struct_buffers[1] = {NULL};

static void release_schema(struct ArrowSchema *s) { s->release = NULL; }
static void release_array(struct ArrowArray *a) { a->release = NULL; }

static struct ArrowSchema column_schema[4] = {
    {"u", "channel", NULL, 0, 0, NULL, NULL, release_schema, NULL},
    {"tsm:UTC", "arrived_at", NULL, 0, 0, NULL, NULL, release_schema, NULL},
    {"tsm:UTC", "answered_at", NULL, ARROW_FLAG_NULLABLE, 0, NULL, NULL, release_schema, NULL},
    {"b", "abandoned", NULL, 0, 0, NULL, NULL, release_schema, NULL},
};
static struct ArrowSchema *column_schemas[4] = {&column_schema[0], &column_schema[1],
                                                &column_schema[2], &column_schema[3]};

static struct ArrowArray column_array[4] = {
    {ROWS, 0, 0, 3, 0, channel_buffers, NULL, NULL, release_array, NULL},
    {ROWS, 0, 0, 2, 0, arrived_buffers, NULL, NULL, release_array, NULL},
    {ROWS, 2, 0, 2, 0, answered_buffers, NULL, NULL, release_array, NULL},
    {ROWS, 0, 0, 2, 0, abandoned_buffers, NULL, NULL, release_array, NULL},
};
static struct ArrowArray *column_arrays[4] = {&column_array[0], &column_array[1],
                                              &column_array[2], &column_array[3]};

static int get_schema(struct ArrowArrayStream *stream, struct ArrowSchema *out) {
    (void)stream;
    struct ArrowSchema s = {"+s", "", NULL, 0, 4, column_schemas, NULL, release_schema, NULL};
    *out = s;
    return 0;
}

/* One batch, then the end of the stream. */
static int get_next(struct ArrowArrayStream *stream, struct ArrowArray *out) {
    int *served = stream->private_data;
    struct ArrowArray batch = {ROWS, 0, 0, 1, 4, struct_buffers, column_arrays, NULL,
                               release_array, NULL};
    if (*served) {
        memset(out, 0, sizeof *out);
    } else {
        *out = batch;
    }
    *served = 1;
    return 0;
}

static const char *get_last_error(struct ArrowArrayStream *stream) {
    (void)stream;
    return NULL;
}

static void release_stream(struct ArrowArrayStream *stream) { stream->release = NULL; }

/* ---- The host ---- */

typedef struct TestHost {
    int has_table;
    int served;
} TestHost;

static int32_t open_table(void *context, CxStr table, struct ArrowArrayStream *out) {
    TestHost *host = context;
    if (!host->has_table || table.len != 8 || memcmp(table.ptr, "contacts", 8) != 0) {
        return CXAUDIT_NOT_FOUND;
    }
    host->served = 0;
    out->get_schema = get_schema;
    out->get_next = get_next;
    out->get_last_error = get_last_error;
    out->release = release_stream;
    out->private_data = &host->served;
    return CXAUDIT_OK;
}

static int64_t document_count(void *context, CxStr kind) {
    (void)context;
    (void)kind;
    return -1;
}

static int32_t document(void *context, CxStr kind, uint64_t index, CxDocument *out) {
    (void)context;
    (void)kind;
    (void)index;
    (void)out;
    return CXAUDIT_NOT_FOUND;
}

static CxStr last_error(void *context) {
    (void)context;
    CxStr why = {(const uint8_t *)"no `contacts` table in the evidence", 35};
    return why;
}

/* Runs the evaluator with `params` (a JSON object) and copies its result
 * into `result`; returns the status code. */
static int32_t run(int has_table, const char *params, char *result, size_t size) {
    const CxPluginDescriptor *plugin = cxaudit_plugin_init();
    const CxEvaluatorDescriptor *evaluator = &plugin->evaluators[0];
    char request[512];
    snprintf(request, sizeof request,
             "{\"criterion\":\"XA1\",\"evaluator\":\"answered_within\",\"params\":%s,"
             "\"period\":{\"start\":\"2026-01-01\",\"end\":\"2026-01-31\"},"
             "\"as_of\":\"2026-01-31\",\"time_zone\":\"UTC\"}",
             params);
    TestHost state = {has_table, 0};
    CxHostApi host = {sizeof(CxHostApi), CXAUDIT_ABI_VERSION, &state, open_table,
                      document_count, document, last_error};
    CxStr text = {(const uint8_t *)request, strlen(request)};
    CxOwnedBuffer out = {NULL, 0, 0, NULL};
    int32_t status = evaluator->evaluate(evaluator->context, text, &host, &out);
    size_t len = out.len < size - 1 ? out.len : size - 1;
    memcpy(result, out.ptr, len);
    result[len] = '\0';
    if (out.release != NULL) {
        out.release(&out);
    }
    return status;
}

static void expect(const char *test, const char *result, const char *part) {
    if (strstr(result, part) != NULL) {
        passed++;
    } else {
        failed++;
        printf("FAILED %s: expected %s in\n%s\n", test, part, result);
    }
}

#define PARAMS(limit, channels)                                                            \
    "{\"wait_limit_seconds\":" limit ",\"target_share\":0.8,\"channels\":" channels "}"

int main(void) {
    char result[8192];
    const char *test = "the share is answered in time over offered, by channel";
    expect(test, run(1, PARAMS("20.0", "[\"voice\",\"chat\",\"messaging\"]"), result,
                     sizeof result) == CXAUDIT_OK ? "ok" : "", "ok");
    /* Offered: voice 3 (the open contact is not), chat 2 = 5. Within 20 s:
     * voice 1 (10 s), chat 2 (5 s, 20 s) = 3. 3 / 5 = 0.6 against 0.8:
     * score 0.6 / 0.8 = 0.75 (the host maps it to partially met). */
    expect(test, result,
           "\"summary\":\"3 of 5 offered contacts answered within 20 s (60.0%, target 80.0%).\"");
    expect(test, result, "\"score\":0.7499999999999");
    expect(test, result, "\"units\":[\"\",\"contacts\",\"contacts\",\"ratio\"]");
    expect(test, result, "\"rows\":[[\"chat\",2,2,1],[\"voice\",3,1,0.33333333333333331]]");
    expect(test, result, "\"observations\":[\"No `messaging` contact was answered or abandoned.\"]");
    /* ceil(0.8 x 5 - 3) = 1 more contact in time. */
    expect(test, result, "\"text\":\"Answer 1 more of the 5 offered contacts within 20 s");

    test = "a 30 s limit takes voice's 30 s answer in: 4 of 5, met";
    run(1, PARAMS("30.0", "[\"voice\",\"chat\",\"messaging\"]"), result, sizeof result);
    expect(test, result, "\"status\":\"met\",\"score\":1,");
    expect(test, result, "\"summary\":\"4 of 5 offered contacts answered within 30 s (80.0%");

    test = "without an offered contact the evidence is insufficient";
    run(1, PARAMS("20.0", "[\"self_service\"]"), result, sizeof result);
    expect(test, result, "{\"status\":\"insufficient_evidence\",\"summary\":\"no contact of the "
                         "channels self_service was answered or abandoned\"}");
    run(0, PARAMS("20.0", "[\"voice\"]"), result, sizeof result);
    expect(test, result, "no contacts table: no `contacts` table in the evidence");

    test = "a request without the parameters is an error";
    expect(test, run(1, "{}", result, sizeof result) == CXAUDIT_EVALUATOR_FAILED ? "ok" : "",
           "ok");
    expect(test, result, "the request lacks wait_limit_seconds");

    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
