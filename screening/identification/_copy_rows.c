/* One record as a row of PostgreSQL's binary COPY, in C: the row encoder of pgcopy.py
 * (`_row_encoder`), which an import runs once for every record it stores.
 *
 *     encode_row(item: dict, plan: tuple) -> bytes | None
 *
 * plan = (head, tail, texts, with_raw, jsons, ints), made once per import by pgcopy:
 *   head, tail  bytes written before and after the row's own columns (field count, the
 *               import's constant keys; is_canonical and created_at);
 *   texts       ((name, max_length or None), ...): text columns, UTF-8 with a length word,
 *               cut to max_length characters;
 *   with_raw    the raw record after the texts: item["raw_utf8"] when it is non-empty bytes,
 *               else item["raw"] in UTF-8;
 *   jsons       (name, ...): jsonb columns (version byte 1, then the JSON text json.dumps
 *               writes with ensure_ascii=False and compact separators);
 *   ints        ((name, size), ...): smallint, integer or bigint (size 2, 4, 8), or NULL.
 *
 * None means "not sure": a value of a type the Python encoder handles by its general rules
 * (a number in a text column, a list holding a non-string, an integer out of range), a NUL in
 * the raw record (the Python encoder raises the import's error), a string that is not valid
 * UTF-8 (lone surrogates), a key missing. pgcopy then encodes the row in Python, so this
 * module only ever speeds up what the Python code would write; a test holds the two equal.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* The row being built: one buffer, reused from row to row (the GIL is held throughout and no
 * Python code runs while a row is built, so no second row can start in the middle of one). */
static char *buffer = NULL;
static Py_ssize_t capacity = 0;
static Py_ssize_t used = 0;

static int
reserve(Py_ssize_t more)
{
    if (used + more <= capacity)
        return 0;
    Py_ssize_t wanted = capacity ? capacity : 16384;
    while (wanted < used + more)
        wanted *= 2;
    char *grown = PyMem_Realloc(buffer, wanted);
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    buffer = grown;
    capacity = wanted;
    return 0;
}

static inline void
put_int32(int32_t value)
{
    uint32_t v = (uint32_t)value;
    unsigned char *p = (unsigned char *)buffer + used;
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
    used += 4;
}

static int
put_bytes(const char *data, Py_ssize_t size)
{
    if (reserve(size) < 0)
        return -1;
    memcpy(buffer + used, data, size);
    used += size;
    return 0;
}

/* A value with its length word. */
static int
put_field(const char *data, Py_ssize_t size)
{
    if (size > INT32_MAX - 1 || reserve(4 + size) < 0)
        return -1;
    put_int32((int32_t)size);
    memcpy(buffer + used, data, size);
    used += size;
    return 0;
}

/* `text` as a JSON string, as json.encoder.encode_basestring writes it. 1: done; 0: not sure;
 * -1: an error. */
static int
put_json_string(PyObject *text)
{
    if (!PyUnicode_CheckExact(text))
        return 0;
    Py_ssize_t size;
    const char *data = PyUnicode_AsUTF8AndSize(text, &size);
    if (data == NULL)
        return -1;
    /* At most six bytes for one (\u00XX), and the quotes. */
    if (reserve(size * 6 + 2) < 0)
        return -1;
    static const char hex[] = "0123456789abcdef";
    char *out = buffer + used;
    *out++ = '"';
    for (Py_ssize_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *out++ = (char)c; /* the bytes of a multi-byte character are all >= 0x80 */
            continue;
        }
        *out++ = '\\';
        switch (c) {
        case '"': *out++ = '"'; break;
        case '\\': *out++ = '\\'; break;
        case '\n': *out++ = 'n'; break;
        case '\r': *out++ = 'r'; break;
        case '\t': *out++ = 't'; break;
        case '\b': *out++ = 'b'; break;
        case '\f': *out++ = 'f'; break;
        default:
            *out++ = 'u';
            *out++ = '0';
            *out++ = '0';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 0xF];
        }
    }
    *out++ = '"';
    used = out - buffer;
    return 1;
}

/* A jsonb column: 1 done, 0 not sure, -1 error. */
static int
put_json(PyObject *value)
{
    if (value == Py_None) /* stored as the Python encoder does: an empty list */
        return put_field("\x01[]", 3) < 0 ? -1 : 1;
    int is_list = PyList_CheckExact(value);
    if (!is_list && !PyDict_CheckExact(value))
        return 0;
    Py_ssize_t at = used; /* the length word, written when the size is known */
    /* the length word's place, jsonb's version byte, the bracket */
    if (put_bytes(is_list ? "\0\0\0\0\x01[" : "\0\0\0\0\x01{", 6) < 0)
        return -1;
    if (is_list) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(value); i++) {
            if (i && put_bytes(",", 1) < 0)
                return -1;
            int done = put_json_string(PyList_GET_ITEM(value, i));
            if (done <= 0)
                return done;
        }
    }
    else {
        Py_ssize_t pos = 0, i = 0;
        PyObject *key, *item;
        while (PyDict_Next(value, &pos, &key, &item)) {
            if (i++ && put_bytes(",", 1) < 0)
                return -1;
            int done = put_json_string(key);
            if (done <= 0)
                return done;
            if (put_bytes(":", 1) < 0)
                return -1;
            done = put_json_string(item);
            if (done <= 0)
                return done;
        }
    }
    if (put_bytes(is_list ? "]" : "}", 1) < 0)
        return -1;
    Py_ssize_t size = used - at - 4;
    if (size > INT32_MAX)
        return -1;
    Py_ssize_t end = used;
    used = at;
    put_int32((int32_t)size);
    used = end;
    return 1;
}

/* A text column: 1 done, 0 not sure, -1 error. */
static int
put_text(PyObject *value, PyObject *limit)
{
    if (value == Py_None)
        return put_field("", 0) < 0 ? -1 : 1;
    if (!PyUnicode_CheckExact(value))
        return 0;
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    Py_ssize_t size;
    const char *data;
    if (limit != Py_None) {
        Py_ssize_t most = PyLong_AsSsize_t(limit);
        if (most == -1 && PyErr_Occurred())
            return -1;
        if (most > 0 && length > most) {
            PyObject *cut = PyUnicode_Substring(value, 0, most);
            if (cut == NULL)
                return -1;
            data = PyUnicode_AsUTF8AndSize(cut, &size);
            int failed = data == NULL || put_field(data, size) < 0;
            Py_DECREF(cut);
            return failed ? -1 : 1;
        }
    }
    data = PyUnicode_AsUTF8AndSize(value, &size);
    if (data == NULL)
        return -1;
    return put_field(data, size) < 0 ? -1 : 1;
}

/* An integer column: 1 done, 0 not sure, -1 error. */
static int
put_int(PyObject *value, long size)
{
    if (value == Py_None) {
        if (reserve(4) < 0)
            return -1;
        put_int32(-1);
        return 1;
    }
    if (!PyLong_Check(value))
        return 0;
    int overflow;
    long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred()))
        return 0;
    if ((size == 2 && (v < INT16_MIN || v > INT16_MAX)) ||
        (size == 4 && (v < INT32_MIN || v > INT32_MAX)) ||
        (size != 2 && size != 4 && size != 8))
        return 0;
    if (reserve(4 + size) < 0)
        return -1;
    put_int32((int32_t)size);
    unsigned long long u = (unsigned long long)v;
    for (long i = size - 1; i >= 0; i--)
        buffer[used++] = (char)(u >> (8 * i));
    return 1;
}

/* The raw record, as `item.get("raw_utf8") or item["raw"].encode()`: 1 done, 0 not sure,
 * -1 error. */
static int
put_raw(PyObject *item)
{
    const char *data;
    Py_ssize_t size;
    PyObject *raw = PyDict_GetItemString(item, "raw_utf8"); /* borrowed; NULL when absent */
    if (raw != NULL && raw != Py_None && !PyBytes_CheckExact(raw))
        return 0; /* anything else is the Python encoder's to judge */
    if (raw != NULL && raw != Py_None && PyBytes_GET_SIZE(raw) > 0) {
        data = PyBytes_AS_STRING(raw);
        size = PyBytes_GET_SIZE(raw);
    }
    else {
        PyObject *text = PyDict_GetItemString(item, "raw");
        if (text == NULL || !PyUnicode_CheckExact(text))
            return 0;
        data = PyUnicode_AsUTF8AndSize(text, &size);
        if (data == NULL)
            return -1;
    }
    if (memchr(data, 0, size) != NULL)
        return 0; /* the Python encoder says what a NUL is doing there */
    return put_field(data, size) < 0 ? -1 : 1;
}

/* item[key] (borrowed), or NULL with *done 0 when the key is missing (the Python encoder
 * raises its KeyError) or -1 on an error. */
static PyObject *
value_of(PyObject *item, PyObject *key, int *done)
{
    PyObject *value = PyDict_GetItemWithError(item, key);
    if (value == NULL)
        *done = PyErr_Occurred() ? -1 : 0;
    return value;
}

static PyObject *
encode_row(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyTuple_CheckExact(args[1]) || PyTuple_GET_SIZE(args[1]) != 6) {
        PyErr_SetString(PyExc_TypeError, "encode_row(item, plan)");
        return NULL;
    }
    PyObject *item = args[0], *plan = args[1];
    if (!PyDict_CheckExact(item))
        Py_RETURN_NONE;
    PyObject *head = PyTuple_GET_ITEM(plan, 0), *tail = PyTuple_GET_ITEM(plan, 1);
    PyObject *texts = PyTuple_GET_ITEM(plan, 2), *jsons = PyTuple_GET_ITEM(plan, 4);
    PyObject *ints = PyTuple_GET_ITEM(plan, 5);
    int with_raw = PyObject_IsTrue(PyTuple_GET_ITEM(plan, 3));
    if (with_raw < 0 || !PyBytes_Check(head) || !PyBytes_Check(tail) || !PyTuple_Check(texts) ||
        !PyTuple_Check(jsons) || !PyTuple_Check(ints)) {
        PyErr_SetString(PyExc_TypeError, "encode_row: a malformed plan");
        return NULL;
    }
    used = 0;
    int done = put_bytes(PyBytes_AS_STRING(head), PyBytes_GET_SIZE(head)) < 0 ? -1 : 1;
    for (Py_ssize_t i = 0; done > 0 && i < PyTuple_GET_SIZE(texts); i++) {
        PyObject *spec = PyTuple_GET_ITEM(texts, i);
        PyObject *value = value_of(item, PyTuple_GET_ITEM(spec, 0), &done);
        if (value != NULL)
            done = put_text(value, PyTuple_GET_ITEM(spec, 1));
    }
    if (done > 0 && with_raw)
        done = put_raw(item);
    for (Py_ssize_t i = 0; done > 0 && i < PyTuple_GET_SIZE(jsons); i++) {
        PyObject *value = value_of(item, PyTuple_GET_ITEM(jsons, i), &done);
        if (value != NULL)
            done = put_json(value);
    }
    for (Py_ssize_t i = 0; done > 0 && i < PyTuple_GET_SIZE(ints); i++) {
        PyObject *spec = PyTuple_GET_ITEM(ints, i);
        PyObject *value = value_of(item, PyTuple_GET_ITEM(spec, 0), &done);
        if (value != NULL)
            done = put_int(value, PyLong_AsLong(PyTuple_GET_ITEM(spec, 1)));
    }
    if (done > 0)
        done = put_bytes(PyBytes_AS_STRING(tail), PyBytes_GET_SIZE(tail)) < 0 ? -1 : 1;
    if (done < 0) {
        if (PyErr_ExceptionMatches(PyExc_MemoryError))
            return NULL;
        PyErr_Clear(); /* a string with no UTF-8, say: the Python encoder raises its own error */
        done = 0;
    }
    if (done == 0)
        Py_RETURN_NONE;
    return PyBytes_FromStringAndSize(buffer, used);
}

static PyMethodDef methods[] = {
    {"encode_row", (PyCFunction)(void (*)(void))encode_row, METH_FASTCALL,
     "encode_row(item, plan) -> one binary COPY row (bytes), or None when the Python "
     "encoder must write it (see pgcopy._row_encoder)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_copy_rows",
    "Records as rows of PostgreSQL's binary COPY (see pgcopy.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__copy_rows(void)
{
    return PyModule_Create(&module);
}
