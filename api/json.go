package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// requestBody returns the raw request body. Compressed bodies are refused:
// inflating them would slip past the body limit.
func requestBody(c *fiber.Ctx) ([]byte, error) {
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, newAPIError(http.StatusUnsupportedMediaType, CodeUnsupportedMedia, "Content-Encoding %q is not supported; send the body uncompressed", enc)
	}
	return c.Request().Body(), nil
}

// decodeStrict decodes a JSON request body into v: exactly one value, no
// unknown fields. Errors are 400s naming the field when possible.
func decodeStrict(c *fiber.Ctx, v any) error {
	body, err := requestBody(c)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("unexpected data after the JSON value")
	}
	return nil
}

// jsonError turns an encoding/json error into a 400 for clients.
func jsonError(err error) *apiError {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		tpe *time.ParseError
	)
	switch {
	case errors.Is(err, io.EOF):
		return badRequest("request body is empty; expected JSON")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("request body is truncated JSON")
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("request body must be %s, got %s", jsonKind(typ.Type), typ.Value)
		}
		return badRequest("field %q must be %s, got %s", typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &tpe):
		return badRequest("time %q is invalid: use RFC 3339, e.g. 2026-05-06T12:00:00Z", tpe.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return badRequest("unknown field %s", f)
	}
	return badRequest("invalid JSON body")
}

// jsonKind names the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "a JSON value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}
