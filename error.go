package hypercare

import (
	"errors"
	"fmt"
)

// Code classifies an error for every client: the API maps it to an HTTP
// status in one place, the CLI to an exit message. Keep the set small and
// stable; it is part of the public contract (DESIGN.md §5).
type Code string

// The error codes of the public API.
const (
	CodeInvalid          Code = "invalid_argument"
	CodeUnauthenticated  Code = "unauthenticated"
	CodePermissionDenied Code = "permission_denied"
	CodeNotFound         Code = "not_found"
	CodeMethodNotAllowed Code = "method_not_allowed"
	CodeConflict         Code = "conflict"
	CodeRateLimited      Code = "rate_limited"
	CodeTooLarge         Code = "payload_too_large"
	CodeUnavailable      Code = "unavailable"
	CodeInternal         Code = "internal"
	// CodeDeliveryFailed: a channel's provider refused or failed a message
	// sent on request (a test page, a verification code); the message
	// is the channel's short reason, never the address.
	CodeDeliveryFailed Code = "delivery_failed"
)

// FieldError names one invalid field, so a client can point at exactly what
// to fix instead of parsing a message.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ErrorBody is the API's error envelope on the wire,
// {"error":{"code":…,"message":…,"details":[…]}}. The server writes it and
// the Go client reads it back into an *Error, so it is declared once, here,
// and the two cannot drift apart.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the error inside ErrorBody.
type ErrorDetail struct {
	Code    Code         `json:"code"`
	Message string       `json:"message"`
	Details []FieldError `json:"details,omitempty"`
}

// Error is the one error type that crosses package boundaries with a
// meaning a user must see. Anything else is treated as internal and never
// echoed to clients.
type Error struct {
	Code    Code
	Message string
	Details []FieldError
	Err     error // the cause, logged but never shown to clients
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidFields returns an invalid_argument error listing every bad field,
// so one response tells a client everything wrong with its request.
func InvalidFields(message string, details ...FieldError) *Error {
	return &Error{Code: CodeInvalid, Message: message, Details: details}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// CodeInternal for any other non-nil error.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-facing message of err: the *Error's message,
// or a generic text for internal errors, which must never leak details.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != CodeInternal {
		return e.Message
	}
	return "internal error"
}

// IsNotFound reports whether err is a not_found error.
func IsNotFound(err error) bool { return ErrorCode(err) == CodeNotFound }
