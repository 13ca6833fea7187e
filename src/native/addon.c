/*
 * blurcam's native addon: the compositor's two frame-sized loops (pixels.h). Each call checks every size against
 * the lengths of the buffers it was given before a byte is read or written, and throws a RangeError or TypeError
 * instead of touching memory it was not given.
 */
#include <node_api.h>
#include <stdio.h>

#include "pixels.h"

/* Larger than any camera frame, small enough that width * height * 4 cannot overflow. */
#define MAX_SIDE 16384

/* One call's arguments as they are read: `ok` turns 0 at the first wrong one, which has thrown. */
typedef struct {
  napi_env env;
  const char *function;
  int ok;
} Args;

static void throw_for(Args *args, int range, const char *message) {
  char text[240];
  snprintf(text, sizeof text, "%s: %s", args->function, message);
  if (range) napi_throw_range_error(args->env, NULL, text);
  else napi_throw_type_error(args->env, NULL, text);
  args->ok = 0;
}

/* The bytes of a Buffer or Uint8Array argument holding at least `needed` bytes; `*length` gets its length. */
static uint8_t *bytes_arg(Args *args, napi_value value, const char *name, size_t needed, size_t *length) {
  if (!args->ok) return NULL;
  bool is_typed_array = false;
  napi_typedarray_type type = napi_int8_array;
  size_t count = 0;
  void *data = NULL;
  char message[200];
  if (napi_is_typedarray(args->env, value, &is_typed_array) != napi_ok || !is_typed_array ||
      napi_get_typedarray_info(args->env, value, &type, &count, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    snprintf(message, sizeof message, "%s must be a Buffer or Uint8Array", name);
    throw_for(args, 0, message);
    return NULL;
  }
  if (count < needed) {
    snprintf(message, sizeof message, "%s holds %zu bytes, the sizes given need %zu", name, count, needed);
    throw_for(args, 1, message);
    return NULL;
  }
  if (length) *length = count;
  return data;
}

static int32_t side_arg(Args *args, napi_value value, const char *name) {
  if (!args->ok) return 0;
  double number = 0;
  if (napi_get_value_double(args->env, value, &number) != napi_ok || !(number >= 1 && number <= MAX_SIDE) || number != (int32_t)number) {
    char message[160];
    snprintf(message, sizeof message, "%s must be a whole number from 1 to %d", name, MAX_SIDE);
    throw_for(args, 1, message);
    return 0;
  }
  return (int32_t)number;
}

static int read_args(Args *args, napi_callback_info info, size_t expected, napi_value *argv) {
  size_t argc = expected;
  if (napi_get_cb_info(args->env, info, &argc, argv, NULL, NULL) != napi_ok) return 0;
  if (argc != expected) throw_for(args, 0, "wrong number of arguments");
  return args->ok;
}

/* blendPerson(out, foreground, mask): out and foreground BGRA, mask one byte a pixel; the mask's length is the pixel count. */
static napi_value blend_person_call(napi_env env, napi_callback_info info) {
  Args args = {env, "blendPerson(out, foreground, mask)", 1};
  napi_value argv[3];
  if (!read_args(&args, info, 3, argv)) return NULL;
  size_t pixels = 0;
  uint8_t *mask = bytes_arg(&args, argv[2], "mask", 0, &pixels);
  if (args.ok && pixels > (size_t)MAX_SIDE * MAX_SIDE) throw_for(&args, 1, "mask is larger than any frame");
  uint8_t *out = bytes_arg(&args, argv[0], "out", pixels * 4, NULL);
  uint8_t *foreground = bytes_arg(&args, argv[1], "foreground", pixels * 4, NULL);
  if (!args.ok) return NULL;
  blend_person(out, foreground, mask, pixels);
  return NULL;
}

/* layBackground(out, width, height, source, sourceWidth, sourceHeight): both BGRA */
static napi_value lay_background_call(napi_env env, napi_callback_info info) {
  Args args = {env, "layBackground(out, width, height, source, sourceWidth, sourceHeight)", 1};
  napi_value argv[6];
  if (!read_args(&args, info, 6, argv)) return NULL;
  int32_t width = side_arg(&args, argv[1], "width"), height = side_arg(&args, argv[2], "height");
  int32_t source_width = side_arg(&args, argv[4], "sourceWidth"), source_height = side_arg(&args, argv[5], "sourceHeight");
  uint8_t *out = bytes_arg(&args, argv[0], "out", (size_t)width * height * 4, NULL);
  uint8_t *source = bytes_arg(&args, argv[3], "source", (size_t)source_width * source_height * 4, NULL);
  if (!args.ok) return NULL;
  if (!lay_background(out, width, height, source, source_width, source_height)) napi_throw_error(env, NULL, "layBackground: out of memory");
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "blendPerson", NAPI_AUTO_LENGTH, blend_person_call, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "blendPerson", fn) != napi_ok ||
      napi_create_function(env, "layBackground", NAPI_AUTO_LENGTH, lay_background_call, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "layBackground", fn) != napi_ok) {
    return NULL;
  }
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
