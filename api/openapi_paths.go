package api

// openAPIPaths is every route of the app; TestOpenAPICoversRoutes keeps
// it in step with the route table.
func openAPIPaths() obj {
	server := pathParam("serverID", "Server id.")
	client := pathParam("clientID", "Peer id.")
	timeFilter := func(name, desc string) obj {
		return queryParam(name, desc, obj{"type": "string", "format": "date-time"})
	}
	auditFilters := []obj{
		queryParam("actor", "Only rows of this actor.", obj{"type": "string"}),
		queryParam("action", "Only rows of this action.", obj{"type": "string"}),
		timeFilter("from", "Only rows at or after this time."),
		timeFilter("to", "Only rows before this time."),
	}
	peerRoute := []obj{server, client}
	return obj{
		"/healthz": obj{"get": operation{id: "healthz", summary: "Process is up.", status: 200,
			content: jsonContent(ref("Health"))}.build()},
		"/readyz": obj{"get": operation{id: "readyz", summary: "Log and stores answer and projections are caught up.",
			status: 200, content: jsonContent(ref("Health")), errors: []int{503}}.build()},
		"/api/openapi.json": obj{"get": operation{id: "openapi", summary: "This document.", status: 200,
			content: jsonContent(obj{"type": "object"})}.build()},
		"/api/login": obj{"post": operation{id: "login",
			summary: "Exchange credentials for a JWT (expires after 24 h). Rate limited per client IP and per email.",
			body:    ref("LoginRequest"), status: 200, content: jsonContent(ref("Token")),
			errors: []int{400, 401, 415, 429}}.build()},
		"/api/report": obj{"post": operation{id: "report", auth: agentAuth,
			summary: "Push one metrics report, or a JSON array of them (at most 5000, body at most 1 MiB).",
			body:    obj{"oneOf": []obj{ref("Report"), arrayOf(ref("Report"))}},
			status:  202, content: jsonContent(ref("Accepted")), errors: []int{400, 413, 415}}.build()},
		"/api/agent/config": obj{"get": operation{id: "agentConfig", auth: agentAuth,
			summary: "Long poll for a server's desired WireGuard peers: answers at once when the server's version is newer than version, else when it changes, else after wait (at most 25s) with the current config.",
			params: []obj{
				queryParam("server_id", "The server (default: the one a per-server token names; required with the fleet token).", obj{"type": "string"}),
				queryParam("version", "The version the agent has applied; omit to get the config at once.", obj{"type": "integer", "minimum": 0}),
				queryParam("wait", "How long to wait for a change, a Go duration (default and maximum 25s).", obj{"type": "string", "example": "25s"}),
			},
			status: 200, content: jsonContent(ref("AgentConfig")), errors: []int{400, 404}}.build()},
		"/api/statuses": obj{"get": operation{id: "statuses", auth: userAuth,
			summary: "Latest status of every registered server, sorted by server_id.",
			status:  200, content: jsonContent(arrayOf(ref("ServerStatus")))}.build()},
		"/api/history": obj{"get": operation{id: "history", auth: userAuth,
			summary: "Latency and transfer history of the last 72 hours, sorted by server_id then recorded_at.",
			params: []obj{
				{"name": "server_id", "in": "query", "description": "Only these servers (repeatable; default all).",
					"style": "form", "explode": true, "schema": arrayOf(obj{"type": "string"})},
				timeFilter("from", "Window start (default: to - 72h; clamped to the last 72 h). Must be before to."),
				timeFilter("to", "Window end (default: now; clamped to now)."),
				queryParam("step", "Bucket width as a Go duration of whole seconds, at least 1s, giving at most 10000 points. "+
					"Default: the smallest of 1s, 2s, 5s, 10s, 15s, 30s, 1m, 2m, 5m, 10m, 15m, 30m, 1h that gives at most 720 points "+
					"(10m for the full 72 h).", obj{"type": "string", "example": "5m"}),
			},
			status: 200, content: jsonContent(arrayOf(ref("HistoryPoint"))), errors: []int{400}}.build()},
		"/api/wg-clients/{serverID}": obj{
			"get": operation{id: "listPeers", auth: adminAuth, summary: "List the peers of a server.",
				params: []obj{server}, status: 200, content: jsonContent(arrayOf(ref("Peer"))),
				errors: []int{404}}.build(),
			"post": operation{id: "createPeer", auth: adminAuth,
				summary: "Create a peer; the server allocates its address and keys.",
				params:  []obj{server}, body: ref("CreatePeerRequest"), status: 201,
				content: jsonContent(ref("NewPeer")), errors: []int{400, 404, 409, 415}}.build(),
		},
		"/api/wg-clients/{serverID}/{clientID}/{action}": obj{"post": operation{id: "peerAction", auth: adminAuth,
			summary: "Enable or disable a peer.",
			params: append([]obj{server, client}, obj{"name": "action", "in": "path", "required": true,
				"schema": obj{"type": "string", "enum": []string{"enable", "disable"}}}),
			status: 200, content: jsonContent(ref("Peer")), errors: []int{400, 404}}.build()},
		"/api/wg-clients/{serverID}/{clientID}": obj{"delete": operation{id: "deletePeer", auth: adminAuth,
			summary: "Delete a peer; its keys are destroyed.", params: peerRoute, status: 204,
			errors: []int{404}}.build()},
		"/api/wg-clients/{serverID}/{clientID}/qrcode": obj{"get": operation{id: "peerQRCode", auth: adminAuth,
			summary: "The peer's WireGuard config as an SVG QR code. 409 while the server has not reported its public key.",
			params:  peerRoute, status: 200, content: textContent("image/svg+xml"), errors: []int{404, 409}}.build()},
		"/api/wg-clients/{serverID}/{clientID}/config": obj{"get": operation{id: "peerConfig", auth: adminAuth,
			summary: "The peer's wg-quick config as a download (<server>-<peer>.conf). 409 while the server has not reported its public key.",
			params:  peerRoute, status: 200, content: textContent("text/plain; charset=utf-8"), errors: []int{404, 409}}.build()},
		"/api/audit": obj{"get": operation{id: "audit", auth: adminAuth, summary: "The audit log, newest first.",
			params: append([]obj{
				queryParam("limit", "Rows per page.", obj{"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}),
				queryParam("offset", "Rows to skip.", obj{"type": "integer", "minimum": 0, "default": 0}),
			}, auditFilters...),
			status: 200, content: jsonContent(arrayOf(ref("AuditRow"))), errors: []int{400}}.build()},
		"/api/audit/export": obj{"get": operation{id: "exportAudit", auth: adminAuth,
			summary: "The whole (filtered) audit log as streamed CSV, newest first. Cells starting with =, +, -, @, tab or CR get a leading '. " +
				"The export itself is audited.",
			params: auditFilters, status: 200, content: textContent("text/csv; charset=utf-8"), errors: []int{400}}.build()},
		"/api/servers": obj{
			"get": operation{id: "listServers", auth: adminAuth, summary: "Registered servers.",
				status: 200, content: jsonContent(arrayOf(ref("Server")))}.build(),
			"post": operation{id: "registerServer", auth: adminAuth,
				summary: "Register a server. The answer carries its agent token, shown only this once.",
				body:    ref("RegisterServerRequest"), status: 201, content: jsonContent(ref("NewServer")),
				errors: []int{400, 409, 415}}.build(),
		},
		"/api/users": obj{
			"get": operation{id: "listUsers", auth: adminAuth, summary: "User accounts, sorted by email.",
				status: 200, content: jsonContent(arrayOf(ref("User")))}.build(),
			"post": operation{id: "createUser", auth: adminAuth, summary: "Create a user account.",
				body: ref("CreateUserRequest"), status: 201, content: jsonContent(ref("User")),
				errors: []int{400, 409, 415}}.build(),
		},
	}
}
