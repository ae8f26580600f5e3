/* The fields of a usual record of the two tagged formats an import reads most, in C: the hot
 * loops of the MEDLINE and RIS importers (medline.py and ris.py, `_scan`), which spend most of
 * their time here on a large file.
 *
 *     medline_fields(record: str) -> (dict[str, list[str]], str, int) | None
 *     ris_fields(record: str) -> (dict[str, list[str]], int, bool)
 *
 * MEDLINE: `record` is one record's text, its lines joined by "\n", with no empty line. Every
 * line must be a tag line ("TI  - value", ERIC's "ISSN - value") or a continuation line (six
 * spaces, then text). The result is what medline.py's Python fast path builds for the same
 * text: {tag padded to four characters: [values, stripped, continuation lines joined to their
 * field with one space]} in the order the tags first appear, the padded tag of the last field,
 * and the number of lines. None means "not sure": any line in another shape (a blank
 * continuation line, a line indented by fewer than six spaces, text that is not a tag), and the
 * one case where the Python path's joining of lines could change how a tag line is matched (a
 * tag line shorter than seven characters before its continuation). The caller then reads the
 * record in Python exactly as before.
 *
 * RIS: `record` runs from a TY line to the end of its ER line. The result is what ris.py's
 * `_RECORD_LINE` loop builds: {two-character tag: [values, stripped]} for the lines in the
 * usual shape ("XY  - value"), every other line under the tag "" with the whole line as its
 * value, the last line left out unless it is an ER line; the number of lines; whether the last
 * line is an ER line. RIS needs no "not sure": every line has one reading.
 *
 * So this module only ever speeds up what the Python code would give; the equivalence tests
 * hold the two equal.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The tags seen, as interned str objects, so each record's dict reuses the same keys: a tag
 * of `length` (2 or 4) ASCII characters, none of them NUL. */
#define TAG_SLOTS 512
static Py_UCS4 slot_code[TAG_SLOTS][4];
static int slot_length[TAG_SLOTS];
static PyObject *slot_tag[TAG_SLOTS];

static PyObject *
tag_object(const Py_UCS4 *c, int length)
{
    char text[5] = {0};
    unsigned int h = (unsigned int)length;
    for (int i = 0; i < length; i++) {
        h = h * 31u + c[i];
        text[i] = (char)c[i];
    }
    for (int probe = 0; probe < TAG_SLOTS; probe++) {
        unsigned int i = (h + probe) % TAG_SLOTS;
        if (slot_tag[i] == NULL) {
            PyObject *tag = PyUnicode_InternFromString(text);
            if (tag == NULL)
                return NULL;
            memcpy(slot_code[i], c, length * sizeof(Py_UCS4));
            slot_length[i] = length;
            slot_tag[i] = tag; /* kept for the life of the process */
            Py_INCREF(tag);
            return tag;
        }
        if (slot_length[i] == length && memcmp(slot_code[i], c, length * sizeof(Py_UCS4)) == 0) {
            Py_INCREF(slot_tag[i]);
            return slot_tag[i];
        }
    }
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

/* The values of one tag, created on its first line. */
static int
append_value(PyObject *fields, PyObject *tag, PyObject *value)
{
    PyObject *values = PyDict_GetItemWithError(fields, tag);
    if (values != NULL)
        return PyList_Append(values, value);
    if (PyErr_Occurred())
        return -1;
    values = PyList_New(1);
    if (values == NULL)
        return -1;
    Py_INCREF(value);
    PyList_SET_ITEM(values, 0, value);
    int failed = PyDict_SetItem(fields, tag, values);
    Py_DECREF(values);
    return failed;
}

/* A field being read: its key, its first line's value, its continuation lines. */
typedef struct {
    PyObject *tag;    /* owned; NULL when no field is open */
    Py_ssize_t start; /* the first line's value: record[start:end] */
    Py_ssize_t end;
    PyObject *more; /* owned list of continuation texts, or NULL */
} Field;

/* record[*start:*end] without the white space at either end (as str.strip takes it). */
static inline void
strip(int kind, const void *data, Py_ssize_t *start, Py_ssize_t *end)
{
    while (*start < *end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, *start)))
        (*start)++;
    while (*end > *start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, *end - 1)))
        (*end)--;
}

/* Where the line starting at `pos` ends: its "\n", or `n`; -1 on an error. */
static inline Py_ssize_t
line_end(PyObject *record, Py_ssize_t pos, Py_ssize_t n)
{
    Py_ssize_t eol = PyUnicode_FindChar(record, '\n', pos, n, 1);
    return eol == -2 ? -1 : eol < 0 ? n : eol;
}

/* Whether record[at:at + 6] is six spaces: a MEDLINE continuation line's indent. */
static inline int
six_spaces(int kind, const void *data, Py_ssize_t at, Py_ssize_t n)
{
    if (at + 6 > n)
        return 0;
    for (int k = 0; k < 6; k++)
        if (PyUnicode_READ(kind, data, at + k) != ' ')
            return 0;
    return 1;
}

/* Store the open field's value (stripped, its lines joined by one space) under its tag. */
static int
close_field(PyObject *record, int kind, const void *data, Field *field, PyObject *fields,
            PyObject *space)
{
    Py_ssize_t start = field->start, end = field->end;
    strip(kind, data, &start, &end);
    PyObject *value = PyUnicode_Substring(record, start, end);
    if (value != NULL && field->more != NULL) {
        /* The first line's value is never empty here: a tag line before a continuation
         * reaches past its separator (see medline_fields), so " ".join gives what the
         * Python path's strip of the joined value gives. */
        int failed = PyList_Insert(field->more, 0, value);
        Py_DECREF(value);
        value = failed ? NULL : PyUnicode_Join(space, field->more);
        Py_CLEAR(field->more);
    }
    if (value == NULL)
        return -1;
    int failed = append_value(fields, field->tag, value);
    Py_DECREF(value);
    return failed;
}

static PyObject *
medline_fields(PyObject *Py_UNUSED(module), PyObject *record)
{
    if (!PyUnicode_Check(record)) {
        PyErr_SetString(PyExc_TypeError, "medline_fields() takes a str");
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
    PyObject *result = NULL; /* NULL: an error; None: not sure */
    Field field = {NULL, 0, 0, NULL};
    Py_ssize_t pos = 0, lines = 0;
    while (pos < n) {
        Py_ssize_t eol = line_end(record, pos, n);
        if (eol < 0)
            goto error;
        lines++;
        Py_ssize_t length = eol - pos;
        if (six_spaces(kind, data, pos, eol)) {
            /* A continuation line: its text, stripped (its trailing space too: the next
             * piece is joined after one space, or the whole value is stripped). */
            Py_ssize_t start = pos + 6, end = eol;
            strip(kind, data, &start, &end);
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
        if (six_spaces(kind, data, eol + 1, n)) {
            /* Before a continuation line, the Python path matches this line with its
             * trailing space replaced by one space and the next line's text: the same
             * match only when the line's own text reaches past the separator. */
            Py_ssize_t start = pos, end = eol;
            strip(kind, data, &start, &end); /* start stays: the line opens with a letter */
            if (end - start < 7)
                goto unsure;
        }
        if (field.tag != NULL) {
            if (close_field(record, kind, data, &field, fields, space) < 0)
                goto error;
            Py_CLEAR(field.tag);
        }
        Py_UCS4 code[4] = {CH(pos), CH(pos + 1), CH(pos + 2), CH(pos + 3)};
        field.tag = tag_object(code, 4);
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
    /* The references of fields and the last tag move to the result. */
    return Py_BuildValue("(NNn)", fields, field.tag, lines);

unsure:
    result = Py_NewRef(Py_None);
error:
    Py_XDECREF(field.tag);
    Py_XDECREF(field.more);
    Py_DECREF(fields);
    return result;
#undef CH
}

static PyObject *
ris_fields(PyObject *Py_UNUSED(module), PyObject *record)
{
    if (!PyUnicode_Check(record)) {
        PyErr_SetString(PyExc_TypeError, "ris_fields() takes a str");
        return NULL;
    }
    static PyObject *untagged = NULL;
    if (untagged == NULL && (untagged = PyUnicode_InternFromString("")) == NULL)
        return NULL;
    const int kind = PyUnicode_KIND(record);
    const void *data = PyUnicode_DATA(record);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(record);
#define CH(i) PyUnicode_READ(kind, data, (i))
    PyObject *fields = PyDict_New();
    if (fields == NULL)
        return NULL;
    Py_ssize_t pos = 0, lines = 0;
    int ends_with_er = 0;
    for (;;) {
        Py_ssize_t eol = line_end(record, pos, n);
        if (eol < 0)
            goto error;
        lines++;
        int last = eol >= n;
        /* `^(?:(..)  - )?(.*)$`: two characters (neither a line end), two spaces, a dash,
         * a space; else the whole line, untagged. */
        int tagged = eol - pos >= 6 && CH(pos + 2) == ' ' && CH(pos + 3) == ' ' &&
                     CH(pos + 4) == '-' && CH(pos + 5) == ' ';
        ends_with_er = tagged && CH(pos) == 'E' && CH(pos + 1) == 'R';
        if (!last || ends_with_er) {
            PyObject *tag, *value;
            Py_ssize_t start = pos, end = eol;
            if (tagged) {
                Py_UCS4 code[2] = {CH(pos), CH(pos + 1)};
                if (code[0] > 0 && code[0] < 128 && code[1] > 0 && code[1] < 128)
                    tag = tag_object(code, 2);
                else
                    tag = PyUnicode_Substring(record, pos, pos + 2);
                if (tag == NULL)
                    goto error;
                start = pos + 6;
            }
            else {
                tag = untagged; /* the whole line, stripped as every value is */
                Py_INCREF(tag);
            }
            strip(kind, data, &start, &end);
            value = PyUnicode_Substring(record, start, end);
            int failed = value == NULL || append_value(fields, tag, value) < 0;
            Py_DECREF(tag);
            Py_XDECREF(value);
            if (failed)
                goto error;
        }
        if (last)
            break;
        pos = eol + 1;
    }
    return Py_BuildValue("(Nni)", fields, lines, ends_with_er);
error:
    Py_DECREF(fields);
    return NULL;
#undef CH
}

static PyMethodDef methods[] = {
    {"medline_fields", medline_fields, METH_O,
     "medline_fields(record) -> ({padded tag: [values]}, last padded tag, lines), or None "
     "when the record is not in the usual shape (the Python reader then reads it)."},
    {"ris_fields", ris_fields, METH_O,
     "ris_fields(record) -> ({tag: [values]}, lines, ends with ER), as ris._scan reads a "
     "record's lines."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_tagged",
    "The fields of usual MEDLINE and RIS records (see medline.py and ris.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__tagged(void)
{
    return PyModule_Create(&module);
}
