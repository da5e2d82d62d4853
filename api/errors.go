package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/sentrazone/sentrazone/domain"
	"github.com/sentrazone/sentrazone/ingest"
)

// Error codes of the error body. Every client input error is a 400: code
// bad_request when the request cannot be read (malformed JSON, a wrong
// type, an unknown field, a bad query parameter) and code invalid when it
// was read but breaks a domain rule (an empty or too long name, a bad
// subnet). 422 is never used.
const (
	CodeBadRequest       = "bad_request"
	CodeInvalid          = "invalid"
	CodeUnauthorized     = "unauthorized"
	CodeForbidden        = "forbidden"
	CodeNotFound         = "not_found"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeConflict         = "conflict"
	CodeFull             = "full"
	CodePayloadTooLarge  = "payload_too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeRateLimited      = "rate_limited"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
)

// apiError is an error with its HTTP status and a message safe for
// clients.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, CodeBadRequest, format, args...)
}

func notFound(format string, args ...any) *apiError {
	return newAPIError(http.StatusNotFound, CodeNotFound, format, args...)
}

// errorBody is the one JSON shape of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// handleError is the app's fiber.ErrorHandler: the one place where errors
// become HTTP statuses. Unknown errors are logged and answered with a bare
// 500 so internals never leak.
func (h *handlers) handleError(c *fiber.Ctx, err error) error {
	e := h.classify(err)
	if e.Code == CodeInternal || errors.Is(err, context.DeadlineExceeded) {
		h.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	if e.Status == http.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, "Bearer")
	}
	return c.Status(e.Status).JSON(errorBody{Error: errorDetail{Code: e.Code, Message: e.Message}})
}

// classify maps any error to an apiError.
func (h *handlers) classify(err error) *apiError {
	var (
		ae *apiError
		de *domain.Error
		fe *fiber.Error
	)
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &de):
		return domainError(de)
	case errors.Is(err, ingest.ErrBadCredentials):
		return newAPIError(http.StatusUnauthorized, CodeUnauthorized, "%s", ingest.ErrBadCredentials.Error())
	case errors.Is(err, ingest.ErrUnauthenticated):
		return newAPIError(http.StatusUnauthorized, CodeUnauthorized, "%s", ingest.ErrUnauthenticated.Error())
	case errors.Is(err, ingest.ErrForbidden):
		return newAPIError(http.StatusForbidden, CodeForbidden, "%s", ingest.ErrForbidden.Error())
	case errors.As(err, &fe):
		return h.fiberError(fe)
	case errors.Is(err, context.DeadlineExceeded):
		return newAPIError(http.StatusServiceUnavailable, CodeUnavailable, "the request timed out; try again")
	case errors.Is(err, context.Canceled):
		return newAPIError(http.StatusServiceUnavailable, CodeUnavailable, "the server is shutting down; try again")
	}
	return newAPIError(http.StatusInternalServerError, CodeInternal, "internal error")
}

// domainError maps a domain rule violation; its message is safe to show.
func domainError(de *domain.Error) *apiError {
	switch de.Kind {
	case domain.KindNotFound:
		return &apiError{Status: http.StatusNotFound, Code: CodeNotFound, Message: de.Message}
	case domain.KindConflict:
		return &apiError{Status: http.StatusConflict, Code: CodeConflict, Message: de.Message}
	case domain.KindFull:
		return &apiError{Status: http.StatusConflict, Code: CodeFull, Message: de.Message}
	default:
		return &apiError{Status: http.StatusBadRequest, Code: CodeInvalid, Message: de.Message}
	}
}

// fiberError maps fiber's own errors (unknown route, wrong method, body
// too large, unreadable request).
func (h *handlers) fiberError(fe *fiber.Error) *apiError {
	switch fe.Code {
	case http.StatusNotFound:
		return notFound("no such route")
	case http.StatusMethodNotAllowed:
		return newAPIError(fe.Code, CodeMethodNotAllowed, "method not allowed on this route")
	case http.StatusRequestEntityTooLarge:
		return newAPIError(fe.Code, CodePayloadTooLarge, "request body is larger than %d bytes", h.cfg.BodyLimit)
	case http.StatusBadRequest:
		return badRequest("malformed HTTP request")
	case http.StatusUnsupportedMediaType:
		return newAPIError(fe.Code, CodeUnsupportedMedia, "unsupported media type")
	}
	if fe.Code >= http.StatusInternalServerError {
		return newAPIError(http.StatusInternalServerError, CodeInternal, "internal error")
	}
	return newAPIError(fe.Code, CodeBadRequest, "%s", http.StatusText(fe.Code))
}
