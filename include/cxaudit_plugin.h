/*
 * cxaudit_plugin.h: the C ABI between the cxaudit host and its plugins,
 * version 1.1. The Rust crate `cxaudit-plugin-abi` (plugins/abi) is the
 * reference; this header mirrors it field for field, and the sizes below are
 * asserted on both sides. CI compiles tests/plugins/c_example against it and
 * runs that plugin through `cxaudit assess`.
 *
 * A plugin is a shared library exporting two functions:
 *
 *   uint32_t cxaudit_plugin_abi_version(void);
 *       returns CXAUDIT_ABI_VERSION (major << 16 | minor). The host refuses a
 *       different major version, or a newer minor one.
 *
 *   const CxPluginDescriptor *cxaudit_plugin_init(void);
 *       returns the plugin's static descriptor: name, version, evaluators.
 *
 * Each evaluator has a JSON manifest (what it reads, its parameters, the
 * measurements it produces; schema: plugins/sdk/schemas/manifest.schema.json)
 * and an evaluate function. The host calls evaluate with a JSON request
 * (request.schema.json) and a CxHostApi through which the evaluator opens
 * tables as Arrow C streams and reads documents. The evaluator writes its
 * result JSON (evaluation.schema.json; only "status" and "summary" are
 * required) into `out`, allocated by the plugin with a `release` function
 * the host calls once: whoever allocates a buffer frees it.
 *
 * Threading: the host calls `evaluate` from one thread at a time per process
 * (by default every evaluation runs in its own child process, so a plugin may
 * keep no state between calls). Everything the host hands out (the request,
 * the CxHostApi, tables, documents) is valid until `evaluate` returns.
 *
 * Strings (CxStr) are UTF-8, pointer and length, not NUL-terminated.
 *
 * Tables (1.1): a string column arrives as plain text (Arrow format "u") or,
 * when the pack's evidence schema marks it `low_cardinality`, dictionary-
 * encoded (format "i": Int32 indexes into the column's `dictionary`, a "u"
 * array of values). A plugin built for 1.0 gets every string column as "u".
 *
 * References (1.2): beside a column the evidence schema declares a reference
 * to another table (a survey's `contact_id` naming a contact), the table may
 * carry `<column>#row` (format "I", UInt32): the row of the referenced table
 * whose key the cell holds, empty when none; its field metadata
 * `cxaudit.references` names `table.key`. A plugin built for 1.0 or 1.1 gets
 * the table without it.
 */
#ifndef CXAUDIT_PLUGIN_H
#define CXAUDIT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CXAUDIT_ABI_VERSION_MAJOR 1
#define CXAUDIT_ABI_VERSION_MINOR 2
#define CXAUDIT_ABI_VERSION \
    ((uint32_t)((CXAUDIT_ABI_VERSION_MAJOR << 16) | CXAUDIT_ABI_VERSION_MINOR))

/* Status codes returned across the boundary. */
#define CXAUDIT_OK 0
/* The requested table or document is not in the evidence (or failed to load). */
#define CXAUDIT_NOT_FOUND 1
/* The evaluator failed; `out` holds a UTF-8 message. */
#define CXAUDIT_EVALUATOR_FAILED 2
/* The evaluator panicked/crashed; `out` holds the message. */
#define CXAUDIT_PANICKED 3
/* A bad argument (invalid UTF-8, an index out of range). */
#define CXAUDIT_BAD_ARGUMENT 4

/* A borrowed UTF-8 string. */
typedef struct CxStr {
    const uint8_t *ptr;
    size_t len;
} CxStr;

/* A byte buffer handed from one side to the other; the receiver calls
 * `release` (when not NULL) exactly once. */
typedef struct CxOwnedBuffer {
    uint8_t *ptr;
    size_t len;
    size_t capacity;
    void (*release)(struct CxOwnedBuffer *buffer);
} CxOwnedBuffer;

/* ---- The Arrow C data and stream interfaces (Arrow specification) ---- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* A document: path relative to the evidence folder and its UTF-8 text,
 * borrowed for the duration of the evaluation. */
typedef struct CxDocument {
    CxStr path;
    CxStr text;
} CxDocument;

/* What the host offers an evaluator during one call. */
typedef struct CxHostApi {
    size_t struct_size;
    uint32_t abi_version;
    void *context;
    /* Opens a table by canonical name as an Arrow stream (a struct array
     * per batch, one child per column). CXAUDIT_OK and `out` filled (the
     * plugin releases it), or CXAUDIT_NOT_FOUND with a reason in
     * last_error. */
    int32_t (*open_table)(void *context, CxStr table, struct ArrowArrayStream *out);
    /* Number of documents of a kind; -1 when the kind is absent. */
    int64_t (*document_count)(void *context, CxStr kind);
    /* Document `index` of `kind` (sorted by path). */
    int32_t (*document)(void *context, CxStr kind, uint64_t index, CxDocument *out);
    /* The reason for the last non-OK status, valid until the next call. */
    CxStr (*last_error)(void *context);
} CxHostApi;

/* Runs one evaluation. */
typedef int32_t (*CxEvaluateFn)(const void *context, CxStr request_json,
                                const CxHostApi *host, CxOwnedBuffer *out);

/* One evaluator of a plugin. */
typedef struct CxEvaluatorDescriptor {
    size_t struct_size; /* sizeof(CxEvaluatorDescriptor) */
    CxStr name;         /* e.g. "forecast_accuracy" */
    CxStr manifest_json;
    const void *context; /* passed back to evaluate */
    CxEvaluateFn evaluate;
} CxEvaluatorDescriptor;

/* The plugin's static descriptor. */
typedef struct CxPluginDescriptor {
    size_t struct_size;   /* sizeof(CxPluginDescriptor) */
    uint32_t abi_version; /* CXAUDIT_ABI_VERSION */
    CxStr name;           /* lower case, no '/' */
    CxStr version;        /* semver */
    CxStr sdk_version;    /* what built it, e.g. "c-header-1.0" */
    size_t evaluator_count;
    const CxEvaluatorDescriptor *evaluators;
} CxPluginDescriptor;

/* The two functions a plugin exports (with default visibility). */
uint32_t cxaudit_plugin_abi_version(void);
const CxPluginDescriptor *cxaudit_plugin_init(void);

/* The layout is the contract (64-bit targets), as in plugins/abi. */
#if UINTPTR_MAX == 0xffffffffffffffffu && !defined(__cplusplus)
_Static_assert(sizeof(CxStr) == 16, "CxStr layout");
_Static_assert(sizeof(CxOwnedBuffer) == 32, "CxOwnedBuffer layout");
_Static_assert(sizeof(CxPluginDescriptor) == 80, "CxPluginDescriptor layout");
_Static_assert(sizeof(CxEvaluatorDescriptor) == 56, "CxEvaluatorDescriptor layout");
_Static_assert(sizeof(CxDocument) == 32, "CxDocument layout");
_Static_assert(sizeof(struct ArrowArrayStream) == 40, "ArrowArrayStream layout");
_Static_assert(sizeof(CxHostApi) == 56, "CxHostApi layout");
#endif

#ifdef __cplusplus
}
#endif

#endif /* CXAUDIT_PLUGIN_H */
