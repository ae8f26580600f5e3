/* The fields of a MEDLINE record in the usual shape, read in C: the hot loop of the MEDLINE
 * importer (medline.py, `_scan`), which spends most of its time here on a large file.
 *
 *     fields(record: str) -> (dict[str, list[str]], str, int) | None
 *
 * `record` is one record's text, its lines joined by "\n", with no empty line. Every line must
 * be a tag line ("TI  - value", ERIC's "ISSN - value") or a continuation line (six spaces,
 * then text). The result is what medline.py's Python fast path builds for the same text:
 * {tag padded to four characters: [values, stripped, continuation lines joined to their field
 * with one space]} in the order the tags first appear, the padded tag of the last field, and
 * the number of lines.
 *
 * None means "not sure": any line in another shape (a blank continuation line, a line
 * indented by fewer than six spaces, text that is not a tag), and the one case where the
 * Python path's joining of lines could change how a tag line is matched (a tag line shorter
 * than seven characters before its continuation). The caller then reads the record in Python
 * exactly as before, so this module only ever speeds up what the Python code would give; the
 * equivalence tests hold the two equal.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The tags seen, as interned str objects, so each record's dict reuses the same keys. */
#define TAG_SLOTS 512
static Py_UCS4 slot_code[TAG_SLOTS][4];
static PyObject *slot_tag[TAG_SLOTS];

static PyObject *
tag_object(const Py_UCS4 c[4])
{
    unsigned int h = (c[0] * 31u * 31u * 31u + c[1] * 31u * 31u + c[2] * 31u + c[3]) % TAG_SLOTS;
    for (int probe = 0; probe < TAG_SLOTS; probe++) {
        unsigned int i = (h + probe) % TAG_SLOTS;
        if (slot_tag[i] == NULL) {
            char text[5] = {(char)c[0], (char)c[1], (char)c[2], (char)c[3], 0};
            PyObject *tag = PyUnicode_InternFromString(text);
            if (tag == NULL)
                return NULL;
            memcpy(slot_code[i], c, sizeof(slot_code[i]));
            slot_tag[i] = tag; /* kept for the life of the process */
            Py_INCREF(tag);
            return tag;
        }
        if (memcmp(slot_code[i], c, sizeof(slot_code[i])) == 0) {
            Py_INCREF(slot_tag[i]);
            return slot_tag[i];
        }
    }
    char text[5] = {(char)c[0], (char)c[1], (char)c[2], (char)c[3], 0};
    return PyUnicode_FromString(text); /* the table is full: a key of its own */
}

static inline int
is_upper(Py_UCS4 c)
{
    return c >= 'A' && c <= 'Z';
}

static inline int
is_tag_char(Py_UCS4 c)
{
    return is_upper(c) || (c >= '0' && c <= '9') || c == ' ';
}

/* A field being read: its key, its first line's value, its continuation lines. */
typedef struct {
    PyObject *tag;    /* owned; NULL when no field is open */
    Py_ssize_t start; /* the first line's value: record[start:end] */
    Py_ssize_t end;
    PyObject *more; /* owned list of continuation texts, or NULL */
} Field;

/* Store the open field's value (stripped, its lines joined by one space) under its tag. */
static int
close_field(PyObject *record, int kind, const void *data, Field *field, PyObject *fields,
            PyObject *space)
{
    PyObject *value;
    Py_ssize_t start = field->start, end = field->end;
    if (field->more == NULL) {
        while (start < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start)))
            start++;
        while (end > start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1)))
            end--;
        value = PyUnicode_Substring(record, start, end);
    }
    else {
        /* Never empty: a tag line before a continuation reaches past its separator (see
         * medline_fields), so " ".join gives what the Python path's strip of the joined
         * value gives. */
        while (end > start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1)))
            end--;
        while (start < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start)))
            start++;
        PyObject *first = PyUnicode_Substring(record, start, end);
        if (first == NULL)
            return -1;
        int failed = PyList_Insert(field->more, 0, first);
        Py_DECREF(first);
        if (failed)
            return -1;
        value = PyUnicode_Join(space, field->more);
        Py_CLEAR(field->more);
    }
    if (value == NULL)
        return -1;
    PyObject *values = PyDict_GetItemWithError(fields, field->tag);
    int failed;
    if (values != NULL) {
        failed = PyList_Append(values, value);
    }
    else if (PyErr_Occurred()) {
        failed = -1;
    }
    else {
        values = PyList_New(1);
        if (values == NULL) {
            Py_DECREF(value);
            return -1;
        }
        Py_INCREF(value);
        PyList_SET_ITEM(values, 0, value);
        failed = PyDict_SetItem(fields, field->tag, values);
        Py_DECREF(values);
    }
    Py_DECREF(value);
    return failed;
}

static PyObject *
medline_fields(PyObject *Py_UNUSED(module), PyObject *record)
{
    if (!PyUnicode_Check(record)) {
        PyErr_SetString(PyExc_TypeError, "fields() takes a str");
        return NULL;
    }
    static PyObject *space = NULL;
    if (space == NULL && (space = PyUnicode_InternFromString(" ")) == NULL)
        return NULL;
    const int kind = PyUnicode_KIND(record);
    const void *data = PyUnicode_DATA(record);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(record);
#define CH(i) PyUnicode_READ(kind, data, (i))

    PyObject *fields = PyDict_New();
    if (fields == NULL)
        return NULL;
    Field field = {NULL, 0, 0, NULL};
    Py_ssize_t pos = 0, lines = 0;
    while (pos < n) {
        Py_ssize_t eol = PyUnicode_FindChar(record, '\n', pos, n, 1);
        if (eol == -2)
            goto error;
        if (eol < 0)
            eol = n;
        lines++;
        Py_ssize_t length = eol - pos;
        if (length >= 6 && CH(pos) == ' ' && CH(pos + 1) == ' ' && CH(pos + 2) == ' ' &&
            CH(pos + 3) == ' ' && CH(pos + 4) == ' ' && CH(pos + 5) == ' ') {
            /* A continuation line: its text, stripped (its trailing space too: the next
             * piece is joined after one space, or the whole value is stripped). */
            Py_ssize_t start = pos + 6, end = eol;
            while (start < end && Py_UNICODE_ISSPACE(CH(start)))
                start++;
            while (end > start && Py_UNICODE_ISSPACE(CH(end - 1)))
                end--;
            if (start == end || field.tag == NULL)
                goto unsure; /* a blank continuation line: the Python path's rules */
            if (field.more == NULL && (field.more = PyList_New(0)) == NULL)
                goto error;
            PyObject *text = PyUnicode_Substring(record, start, end);
            if (text == NULL)
                goto error;
            int failed = PyList_Append(field.more, text);
            Py_DECREF(text);
            if (failed)
                goto error;
            pos = eol + 1;
            continue;
        }
        /* A tag line: [A-Z][A-Z0-9 ]{3}, then "- " or " - ". */
        if (length < 6 || !is_upper(CH(pos)) || !is_tag_char(CH(pos + 1)) ||
            !is_tag_char(CH(pos + 2)) || !is_tag_char(CH(pos + 3)))
            goto unsure;
        Py_ssize_t value;
        if (length >= 7 && CH(pos + 4) == ' ' && CH(pos + 5) == '-' && CH(pos + 6) == ' ')
            value = pos + 7;
        else if (CH(pos + 4) == '-' && CH(pos + 5) == ' ')
            value = pos + 6;
        else
            goto unsure;
        if (eol < n && eol + 7 <= n) {
            /* Before a continuation line, the Python path matches this line with its
             * trailing space replaced by one space and the next line's text: the same
             * match only when the line's own text reaches past the separator. */
            Py_ssize_t next = eol + 1, k = 0;
            while (k < 6 && CH(next + k) == ' ')
                k++;
            if (k == 6) {
                Py_ssize_t end = eol;
                while (end > pos && Py_UNICODE_ISSPACE(CH(end - 1)))
                    end--;
                if (end - pos < 7)
                    goto unsure;
            }
        }
        if (field.tag != NULL) {
            if (close_field(record, kind, data, &field, fields, space) < 0)
                goto error;
            Py_CLEAR(field.tag);
        }
        Py_UCS4 code[4] = {CH(pos), CH(pos + 1), CH(pos + 2), CH(pos + 3)};
        field.tag = tag_object(code);
        if (field.tag == NULL)
            goto error;
        field.start = value;
        field.end = eol;
        pos = eol + 1;
    }
    if (field.tag == NULL)
        goto unsure; /* an empty record */
    if (close_field(record, kind, data, &field, fields, space) < 0)
        goto error;
    PyObject *last_tag = field.tag; /* the reference moves to the result */
    PyObject *result = Py_BuildValue("(NNn)", fields, last_tag, lines);
    return result;

unsure:
    Py_XDECREF(field.tag);
    Py_XDECREF(field.more);
    Py_DECREF(fields);
    Py_RETURN_NONE;
error:
    Py_XDECREF(field.tag);
    Py_XDECREF(field.more);
    Py_DECREF(fields);
    return NULL;
#undef CH
}

static PyMethodDef methods[] = {
    {"fields", medline_fields, METH_O,
     "fields(record) -> ({padded tag: [values]}, last padded tag, lines), or None when the "
     "record "
     "is not in the usual shape (the Python reader then reads it)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_medline_fields",
    "The fields of a MEDLINE record in the usual shape (see medline.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__medline_fields(void)
{
    return PyModule_Create(&module);
}
