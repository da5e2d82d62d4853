package api

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// obj is a JSON object of the OpenAPI document.
type obj = map[string]any

// apiDescription documents the conventions every route shares.
const apiDescription = `Control plane API for WireGuard VPN server fleets.

Errors: every error has the body {"error": {"code": "...", "message": "..."}}.
Every client input error is a 400 (422 is never used): code bad_request when the
request cannot be read (malformed JSON, a wrong type, an unknown field in a JSON
body, a bad query parameter) and code invalid when it was read but breaks a rule
(e.g. an empty or too long peer name, a bad subnet). Other codes: unauthorized
(401), forbidden (403), not_found (404, also unknown routes), method_not_allowed
(405), conflict (409, e.g. a duplicate name), full (409, no free address left in
the server's subnet), payload_too_large (413, bodies over 1 MiB),
unsupported_media_type (415, compressed bodies), rate_limited (429, with a
Retry-After header in seconds), internal (500) and unavailable (503).

Times are RFC 3339 in UTC. JSON bodies of user and admin routes are strict:
unknown fields are a 400. Agent reports ignore unknown fields.

Answers of /api/statuses, /api/history and /api/audit are compressed (br, gzip
or deflate) for clients that send Accept-Encoding; request bodies never are.`

// openAPIJSON renders the OpenAPI 3.0 document.
func openAPIJSON() ([]byte, error) {
	return json.Marshal(openAPIDoc())
}

func openAPIDoc() obj {
	return obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":       "Sentrazone API",
			"version":     "1.0.0",
			"description": apiDescription,
		},
		"paths": openAPIPaths(),
		"components": obj{
			"schemas":   openAPISchemas(),
			"responses": errorResponses(),
			"securitySchemes": obj{
				"bearerAuth": obj{
					"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "A user token from POST /api/login (HS256, 24 h).",
				},
				"agentToken": obj{
					"type": "http", "scheme": "bearer",
					"description": "An agent token: the fleet token, or a server's own token from POST /api/servers.",
				},
			},
		},
	}
}

// Who may call an operation.
const (
	public = iota
	userAuth
	adminAuth
	agentAuth
)

// operation describes one route; build turns it into OpenAPI.
type operation struct {
	id, summary string
	auth        int
	params      []obj
	body        obj // request schema; nil when there is none
	status      int // success status
	content     obj // success content; nil for none
	errors      []int
}

func (o operation) build() obj {
	ok := obj{"description": http.StatusText(o.status)}
	if o.content != nil {
		ok["content"] = o.content
	}
	responses := obj{strconv.Itoa(o.status): ok}
	errs := o.errors
	switch o.auth {
	case userAuth:
		errs = append(errs, 401)
	case adminAuth, agentAuth:
		errs = append(errs, 401, 403)
	}
	for _, s := range append(errs, 500) {
		responses[strconv.Itoa(s)] = obj{"$ref": "#/components/responses/" + errorResponseNames[s]}
	}
	op := obj{"operationId": o.id, "summary": o.summary, "responses": responses}
	switch o.auth {
	case userAuth, adminAuth:
		op["security"] = []obj{{"bearerAuth": []string{}}}
	case agentAuth:
		op["security"] = []obj{{"agentToken": []string{}}}
	default:
		op["security"] = []obj{}
	}
	if len(o.params) > 0 {
		op["parameters"] = o.params
	}
	if o.body != nil {
		op["requestBody"] = obj{"required": true, "content": jsonContent(o.body)}
	}
	return op
}

// errorResponseNames names the shared error responses by status.
var errorResponseNames = map[int]string{
	400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
	409: "Conflict", 413: "PayloadTooLarge", 415: "UnsupportedMediaType",
	429: "RateLimited", 500: "Internal", 503: "Unavailable",
}

func errorResponses() obj {
	out := obj{}
	for status, name := range errorResponseNames {
		r := obj{"description": http.StatusText(status), "content": jsonContent(ref("Error"))}
		if status == 429 {
			r["headers"] = obj{"Retry-After": obj{
				"description": "Seconds until a new attempt may succeed.",
				"schema":      obj{"type": "integer"},
			}}
		}
		out[name] = r
	}
	return out
}

func ref(schema string) obj { return obj{"$ref": "#/components/schemas/" + schema} }

func arrayOf(schema obj) obj { return obj{"type": "array", "items": schema} }

func jsonContent(schema obj) obj { return obj{"application/json": obj{"schema": schema}} }

func textContent(mime string) obj { return obj{mime: obj{"schema": obj{"type": "string"}}} }

func pathParam(name, desc string) obj {
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": obj{"type": "string"}}
}

func queryParam(name, desc string, schema obj) obj {
	return obj{"name": name, "in": "query", "description": desc, "schema": schema}
}
